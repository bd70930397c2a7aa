// The captive portal's HTTP surface as a fastify plugin the portal server mounts: the RFC 8908
// API, the visitor's pages (sign in with a code, "you're online", their own page, sign out) and,
// through captiveFallback, every other request a guest's HTTP brings here (nftables redirects an
// unauthorised guest's port 80 to the portal): an OS probe or any site lands on the portal, or, for
// a device already signed in, a probe gets the exact answer that closes the sign-in sheet.
//
// Who is asking is the TCP peer's address (the DNAT keeps it), resolved to a device by its lease;
// nothing the browser says (a cookie, a header) signs anyone in.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formOriginOf, refusedCrossSite } from '../cross-site.ts';
import type { RedeemResult, Session } from '../vouchers/service.ts';
import { CAPTIVE_CONTENT_TYPE, captiveDocument } from './api.ts';
import { codePage, PORTAL_CSS, PORTAL_PATH, sessionPage, signedOutPage, STYLE_PATH, successPage } from './pages.ts';
import { hostOnly, probeFor } from './probes.ts';
import type { PortalView } from './settings.ts';

export const CAPTIVE_API_PATH = '/api/captive-portal';

export interface CaptiveDeps {
  sessions: {
    sessionAt(address: string): Session | undefined;
    redeem(address: string, typed: string, termsVersion: string | null): Promise<RedeemResult>;
    signOut(address: string): Promise<boolean>;
  };
  view: () => PortalView;
  now: () => Date;
}

// No script may run, nothing may come from elsewhere, and the forms post only here.
const HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // Same-origin: the portal's own forms carry their origin, other sites learn nothing.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** The device's IPv4 address as the socket saw it. */
export function clientAddress(request: FastifyRequest): string {
  return (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

/** Where this portal answers, as the device reached it (the DNAT's target: a gateway address and port). */
export function portalBase(request: FastifyRequest): string {
  const address = (request.socket.localAddress ?? '').replace(/^::ffff:/, '');
  const port = request.socket.localPort ?? 80;
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}${port === 80 ? '' : `:${port}`}`;
}

/** Each outcome's words. Unknown, expired and revoked codes share one: the portal must not tell them apart. */
export function redeemMessage(result: RedeemResult): string | undefined {
  switch (result.outcome) {
    case 'signed-in': return undefined;
    case 'invalid': return 'That code cannot be used now. Check it with the person who gave it to you: a code works only between the times written with it.';
    case 'typo': return 'That is not one of our codes: check each letter and number. Codes are 15 characters, like KXM4P-7TRAW-9HCDE.';
    case 'locked': return `Too many wrong codes from this device. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minutes, or ask at reception.`;
    case 'full': return `This code is already in use on ${result.maxDevices} device${result.maxDevices === 1 ? '' : 's'}, all it allows. Sign out on one of them, or ask at reception.`;
    case 'no-lease': return 'This device did not get its address from the guest Wi-Fi. Turn Wi-Fi off and on again, then try once more.';
  }
}

const STATUS: Record<RedeemResult['outcome'], number> = { 'signed-in': 200, 'invalid': 400, 'typo': 400, 'locked': 429, 'full': 409, 'no-lease': 403 };

/**
 * A form posted from another site (a page the guest has open elsewhere) must not sign the device
 * in with someone else's code, or out, nor register or approve a visitor: the surface's one rule
 * (cross-site.ts), the portal's own origin being the Host asked or the gateway address reached.
 */
export function fromPortal(request: FastifyRequest): boolean {
  const reached = (request.socket.localAddress ?? '').replace(/^::ffff:/, '');
  return !refusedCrossSite(request.method, formOriginOf(request.headers), {
    hostHeader: request.headers.host,
    isGatewayHost: (host) => host === reached,
  });
}

/**
 * The code a printed slip's QR code carries (`/portal?code=…`): put in the box, never redeemed
 * by the GET, so the visitor still reads and accepts the terms. Only a code's own characters.
 */
export function prefilledCode(query: unknown): string {
  const code = typeof query === 'object' && query !== null ? (query as Record<string, unknown>).code : undefined;
  return typeof code === 'string' && /^[A-Za-z0-9 -]{1,40}$/.test(code) ? code : '';
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).headers(HEADERS).type('text/html; charset=utf-8').send(body);
}

/**
 * For any request no route took: a probe or a site asked through the redirect. Signed in, a
 * probe gets its success answer (anything else is not ours: 404); not signed in, everything
 * is sent to the portal's page. Requests addressed to the portal itself are the server's own.
 */
export function captiveFallback(deps: CaptiveDeps) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const session = deps.sessions.sessionAt(clientAddress(request));
    const probe = probeFor(request.headers.host, request.url);
    if (session && probe) {
      reply.code(probe.status).headers({ 'cache-control': 'no-store' });
      if (probe.contentType) reply.type(probe.contentType);
      return reply.send(probe.body);
    }
    const portal = portalBase(request);
    const ownHost = hostOnly(request.headers.host) === hostOnly(portal.slice('http://'.length));
    if (session || (ownHost && !probe)) return reply.code(404).headers(HEADERS).type('text/plain; charset=utf-8').send('Not found\n');
    // The connection was made to another site and redirected here by nftables: closed after this
    // answer, so once the device is signed in the browser's next request to that site opens a new
    // connection, which goes out, instead of reusing this one, which would keep reaching the portal.
    return reply.code(302).headers({ ...HEADERS, location: `${portal}${PORTAL_PATH}`, connection: 'close' }).send();
  };
}

/** Mounts the portal's routes on `app` (encapsulated: its form parser stays inside). */
export async function captiveRoutes<L extends FastifyBaseLogger>(app: FastifyInstance<Server, IncomingMessage, ServerResponse, L>, deps: CaptiveDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });

    scope.get(CAPTIVE_API_PATH, async (request, reply) => {
      const session = deps.sessions.sessionAt(clientAddress(request));
      const doc = captiveDocument({ secondsLeft: session?.secondsLeft, portalUrl: `${portalBase(request)}${PORTAL_PATH}`, venueInfoUrl: deps.view().venueInfoUrl });
      return reply.headers({ 'cache-control': 'private, no-store' }).type(CAPTIVE_CONTENT_TYPE).send(Buffer.from(JSON.stringify(doc)));
    });

    scope.get(STYLE_PATH, async (_request, reply) => reply.headers({ 'cache-control': 'max-age=3600', 'x-content-type-options': 'nosniff' }).type('text/css; charset=utf-8').send(PORTAL_CSS));

    scope.get(PORTAL_PATH, async (request, reply) => {
      const session = deps.sessions.sessionAt(clientAddress(request));
      const now = deps.now();
      if (session) return html(reply, 200, sessionPage(deps.view(), new Date(session.device.authorisedUntil), now, session.secondsLeft));
      return html(reply, 200, codePage(deps.view(), { code: prefilledCode(request.query) }));
    });

    scope.post(PORTAL_PATH, async (request, reply) => {
      const form = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
      const typed = typeof form.code === 'string' ? form.code.slice(0, 64) : '';
      const view = deps.view();
      if (!fromPortal(request)) return html(reply, 403, codePage(view, { message: 'Please sign in on this page.' }));
      // The version shown when the box was ticked: a form from before a change of terms is refused.
      if (form.accept !== view.terms.version) {
        return html(reply, 400, codePage(view, { code: typed, message: 'To go online, tick the box to accept the terms of use.' }));
      }
      const result = await deps.sessions.redeem(clientAddress(request), typed, view.terms.version);
      if (result.outcome === 'signed-in') return html(reply, 200, successPage(view, new Date(result.until), deps.now()));
      // An unusable code is not given back in the form: nothing on the page varies with which kind it was.
      return html(reply, STATUS[result.outcome], codePage(view, { code: result.outcome === 'typo' ? typed : '', message: redeemMessage(result)! }));
    });

    scope.post(`${PORTAL_PATH}/sign-out`, async (request, reply) => {
      if (!fromPortal(request)) return html(reply, 403, codePage(deps.view(), { message: 'Please sign out on this page.' }));
      await deps.sessions.signOut(clientAddress(request));
      return html(reply, 200, signedOutPage(deps.view()));
    });
  });
}
