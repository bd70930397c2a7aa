// One conditional download of a list feed. The edge where feeds touch the network: everything it
// decides is about HTTP (status, redirects, size, time, checksum); what the body means is
// validate-feed.ts's business.
//
// The school's uplink may be slow and the feed's server hostile or broken, so every download is
// bounded: a byte cap enforced while streaming (a Content-Length is not trusted), one deadline for
// headers and body together, at most a few redirects and never from HTTPS down to HTTP.
import { createHash } from 'node:crypto';

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** Generous for tens of megabytes over a school's uplink, short enough that a stalled server is noticed. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Feed hosts move lists behind a CDN or to HTTPS; more hops than this is a loop or a trick. */
export const MAX_REDIRECTS = 3;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** What the last good copy was served with: sent back so the server can answer 304. */
export interface FeedValidators {
  etag: string | null;
  lastModified: string | null;
  sha256: string | null;
}

export interface FetchFeedOptions {
  url: string;
  previous: FeedValidators;
  maxBytes?: number;
  timeoutMs?: number;
  /** The configured pin: a body with another SHA-256 is refused. */
  pinnedSha256?: string;
  fetch?: typeof globalThis.fetch;
  userAgent?: string;
  /** Abandons the download (the daemon stopping). */
  signal?: AbortSignal;
}

export type FetchFeedResult =
  | { kind: 'unchanged'; reason: 'not-modified' | 'same-checksum'; status: number; etag: string | null; lastModified: string | null; finalUrl: string }
  | { kind: 'downloaded'; status: number; body: Buffer; sha256: string; etag: string | null; lastModified: string | null; finalUrl: string }
  | { kind: 'failed'; error: string; status?: number };

class FeedFetchError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/**
 * The URL fetch() may be given, and the Authorization header for credentials written into the
 * feed URL (https://user:key@host/…): fetch refuses such URLs, and subscription feeds use them.
 */
export function splitCredentials(url: URL): { url: URL; authorization: string | undefined } {
  if (url.username === '' && url.password === '') return { url, authorization: undefined };
  const bare = new URL(url);
  bare.username = '';
  bare.password = '';
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { url: bare, authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/** The feed's URL for logs and status: a password in it is replaced by "***". */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
}

/** Only the host, for log lines that may be read by people who should not see a subscription key. */
export function urlHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(not a URL)';
  }
}

/** A redirect is followed within the same scheme, or upgraded from HTTP to HTTPS; never downgraded. */
export function redirectAllowed(from: URL, to: URL): boolean {
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return false;
  return from.protocol === to.protocol || (from.protocol === 'http:' && to.protocol === 'https:');
}

/** Why a fetch() rejected, in words for the status line: the cause's code where undici gives one. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `cannot reach the server: ${cause.code}${cause.message && !cause.message.includes(cause.code) ? ` (${cause.message})` : ''}`;
  if (cause?.message) return `cannot reach the server: ${cause.message}`;
  return `cannot reach the server: ${(error as Error).message}`;
}

export async function fetchFeed(options: FetchFeedOptions): Promise<FetchFeedResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? globalThis.fetch;
  // One deadline for the whole exchange: a server that trickles its body is as stuck as a silent one.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const stop = (): void => controller.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    if (options.signal?.aborted) throw new FeedFetchError('the download was cancelled');
    return await download(options, doFetch, controller.signal, maxBytes);
  } catch (error) {
    if (timedOut) return { kind: 'failed', error: `no complete answer within ${Math.round(timeoutMs / 100) / 10} s` };
    if (options.signal?.aborted) return { kind: 'failed', error: 'the download was cancelled (the gateway is stopping)' };
    if (error instanceof FeedFetchError) return { kind: 'failed', error: error.message, status: error.status };
    return { kind: 'failed', error: networkReason(error) };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
    controller.abort();
  }
}

async function download(options: FetchFeedOptions, doFetch: typeof globalThis.fetch, signal: AbortSignal, maxBytes: number): Promise<FetchFeedResult> {
  let target: URL;
  try {
    target = new URL(options.url);
  } catch {
    throw new FeedFetchError(`not a URL: ${displayUrl(options.url)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new FeedFetchError(`only http and https feeds are supported, not ${target.protocol}`);
  const origin = target.origin;
  const { url: first, authorization } = splitCredentials(target);
  let current = first;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { accept: 'text/plain, */*;q=0.5' };
    if (options.userAgent) headers['user-agent'] = options.userAgent;
    // Credentials go to the origin they were written for, not to wherever it redirects.
    if (authorization && current.origin === origin) headers.authorization = authorization;
    if (options.previous.etag) headers['if-none-match'] = options.previous.etag;
    if (options.previous.lastModified) headers['if-modified-since'] = options.previous.lastModified;
    const response = await doFetch(current, { headers, redirect: 'manual', signal });
    if (REDIRECT_STATUSES.has(response.status)) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (!location) throw new FeedFetchError(`the server answered ${response.status} without a Location`, response.status);
      if (hop >= MAX_REDIRECTS) throw new FeedFetchError(`more than ${MAX_REDIRECTS} redirects`, response.status);
      const next = new URL(location, current);
      if (!redirectAllowed(current, next)) throw new FeedFetchError(`refused a redirect from ${current.protocol} to ${next.protocol}`, response.status);
      current = next;
      continue;
    }
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (response.status === 304) {
      await response.body?.cancel();
      return { kind: 'unchanged', reason: 'not-modified', status: 304, etag: etag ?? options.previous.etag, lastModified: lastModified ?? options.previous.lastModified, finalUrl: current.href };
    }
    // 200 only: a 206 would be part of the list, a 204 none of it.
    if (response.status !== 200) {
      await response.body?.cancel();
      const text = response.statusText ? ` ${response.statusText}` : '';
      throw new FeedFetchError(`the server answered ${response.status}${text}`, response.status);
    }
    const body = await readCapped(response, maxBytes);
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (options.pinnedSha256 && sha256 !== options.pinnedSha256) {
      throw new FeedFetchError(`the download's SHA-256 ${sha256} is not the pinned ${options.pinnedSha256}`, 200);
    }
    if (options.previous.sha256 === sha256) {
      return { kind: 'unchanged', reason: 'same-checksum', status: 200, etag, lastModified, finalUrl: current.href };
    }
    return { kind: 'downloaded', status: 200, body, sha256, etag, lastModified, finalUrl: current.href };
  }
}

/** The body, read chunk by chunk and abandoned the moment it passes `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new FeedFetchError(`the server announced ${declared} bytes, more than the limit of ${maxBytes}`, response.status);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new FeedFetchError(`the download passed the limit of ${maxBytes} bytes and was stopped`, response.status);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
