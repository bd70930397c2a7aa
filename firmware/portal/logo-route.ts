// The school's logo on the web surface (block page, landing, AUP splash) and the visitor portal:
// served from the same store the admin's Settings page writes (DATA_DIR/branding/), at the same
// path on whatever name the page was asked under, so the pages' CSP keeps img-src 'self'. An SVG
// is only ever shown through <img>, and opened directly it is sandboxed and runs nothing (the
// admin's /logo headers). Revalidated by ETag: a new logo shows at once, an unchanged one costs a 304.
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { LOGO_CSP, LogoStore, type StoredLogo } from '../admin/logo.ts';

export const LOGO_PATH = '/logo';

export interface SurfaceLogo {
  /** A logo is stored: the pages show it. */
  present(): boolean;
  read(): Promise<StoredLogo | null>;
}

export function surfaceLogo(dataDir: string): SurfaceLogo {
  const store = new LogoStore(dataDir);
  return { present: () => store.present(), read: () => store.read() };
}

export function logoEtag(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
}

/** True when If-None-Match names this ETag (a list, weak validators and * included). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

const LOGO_HEADERS = {
  'content-security-policy': LOGO_CSP,
  'x-content-type-options': 'nosniff',
  // Revalidated every time: the school may change its logo; the ETag makes that a 304.
  'cache-control': 'no-cache',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * GET (and HEAD) /logo on an app of the surface's. Its headers are set in a route onSend hook, which
 * runs after the app's own (the page headers, whose cache-control and CSP are a page's, not an image's).
 */
export function logoRoute<L extends FastifyBaseLogger>(app: FastifyInstance<Server, IncomingMessage, ServerResponse, L>, logo: SurfaceLogo): void {
  app.get(LOGO_PATH, {
    onSend: async (_request, reply, payload) => {
      reply.headers(LOGO_HEADERS);
      return payload;
    },
  }, async (request, reply) => {
    const stored = await logo.read();
    if (stored === null) return reply.code(404).type('text/plain; charset=utf-8').send('The school has not added a logo.\n');
    const etag = logoEtag(stored.bytes);
    reply.header('etag', etag);
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type(stored.type).send(stored.bytes);
  });
}

/** The logo in a page's header: decorative (the school's name is beside it as text), so alt="". */
export const LOGO_IMG = `<img class="logo" src="${LOGO_PATH}" alt="" height="48">`;
