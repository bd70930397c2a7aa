// One conditional download against a real HTTP server on 127.0.0.1: validators sent and honoured,
// and every way a download is refused (status, size, time, checksum, redirects).
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchFeed, redirectAllowed, splitCredentials, displayUrl, type FeedValidators } from '../../../../firmware/rules/feeds/fetch-feed.ts';
import { FeedServer } from './feed-server.ts';

let server: FeedServer;
beforeEach(async () => { server = await FeedServer.start(); });
afterEach(async () => { await server.close(); });

const NONE: FeedValidators = { etag: null, lastModified: null, sha256: null };
const LIST = 'a.test\nb.test\nc.test\n';
const sha = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

describe('fetchFeed', () => {
  it('downloads a feed the first time, with its checksum and validators, sending no conditions', async () => {
    server.routes.set('/list.txt', { body: LIST, etag: '"v1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
    const r = await fetchFeed({ url: server.url('/list.txt'), previous: NONE });
    expect(r).toMatchObject({ kind: 'downloaded', status: 200, sha256: sha(LIST), etag: '"v1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
    expect(r.kind === 'downloaded' && r.body.toString()).toBe(LIST);
    const [req] = server.requestsTo('/list.txt');
    expect(req?.headers['if-none-match']).toBeUndefined();
    expect(req?.headers['if-modified-since']).toBeUndefined();
  });

  it('sends the stored ETag and takes 304 as unchanged', async () => {
    server.routes.set('/list.txt', { body: LIST, etag: '"v1"' });
    const r = await fetchFeed({ url: server.url('/list.txt'), previous: { etag: '"v1"', lastModified: null, sha256: sha(LIST) } });
    expect(r).toMatchObject({ kind: 'unchanged', reason: 'not-modified', status: 304, etag: '"v1"' });
    expect(server.requestsTo('/list.txt')[0]?.headers['if-none-match']).toBe('"v1"');
    // A changed file: the old ETag no longer matches and the new content comes.
    server.routes.set('/list.txt', { body: `${LIST}d.test\n`, etag: '"v2"' });
    const changed = await fetchFeed({ url: server.url('/list.txt'), previous: { etag: '"v1"', lastModified: null, sha256: sha(LIST) } });
    expect(changed).toMatchObject({ kind: 'downloaded', etag: '"v2"' });
  });

  it('sends the stored Last-Modified as If-Modified-Since and takes 304 as unchanged', async () => {
    const lastModified = 'Tue, 02 Jan 2024 03:17:00 GMT';
    server.routes.set('/list.txt', { body: LIST, lastModified });
    const r = await fetchFeed({ url: server.url('/list.txt'), previous: { etag: null, lastModified, sha256: sha(LIST) } });
    expect(r).toMatchObject({ kind: 'unchanged', reason: 'not-modified', lastModified });
    expect(server.requestsTo('/list.txt')[0]?.headers['if-modified-since']).toBe(lastModified);
  });

  it('takes a full download with the stored checksum as unchanged', async () => {
    server.routes.set('/list.txt', { body: LIST, etag: '"v1"', ignoreConditions: true });
    const r = await fetchFeed({ url: server.url('/list.txt'), previous: { etag: '"v0"', lastModified: null, sha256: sha(LIST) } });
    expect(r).toMatchObject({ kind: 'unchanged', reason: 'same-checksum', status: 200, etag: '"v1"' });
  });

  it('refuses a body whose checksum is not the pinned one, and accepts the pinned one', async () => {
    server.routes.set('/list.txt', { body: LIST });
    const wrong = await fetchFeed({ url: server.url('/list.txt'), previous: NONE, pinnedSha256: sha('something else') });
    expect(wrong.kind).toBe('failed');
    expect(wrong.kind === 'failed' && wrong.error).toContain('not the pinned');
    const right = await fetchFeed({ url: server.url('/list.txt'), previous: NONE, pinnedSha256: sha(LIST) });
    expect(right.kind).toBe('downloaded');
  });

  it('stops a streamed body that passes maxBytes, and refuses an announced one at once', async () => {
    const big = Buffer.alloc(300 * 1024, 0x61);
    server.routes.set('/chunked.txt', { body: big, chunked: true });
    const streamed = await fetchFeed({ url: server.url('/chunked.txt'), previous: NONE, maxBytes: 100 * 1024 });
    expect(streamed).toMatchObject({ kind: 'failed', status: 200 });
    expect(streamed.kind === 'failed' && streamed.error).toContain('passed the limit of 102400 bytes');
    server.routes.set('/announced.txt', { body: big });
    const announced = await fetchFeed({ url: server.url('/announced.txt'), previous: NONE, maxBytes: 100 * 1024 });
    expect(announced.kind === 'failed' && announced.error).toContain(`announced ${big.length} bytes`);
    // Exactly at the limit is allowed.
    const exact = await fetchFeed({ url: server.url('/chunked.txt'), previous: NONE, maxBytes: big.length });
    expect(exact.kind).toBe('downloaded');
  });

  it('gives up on a server that stops sending, within the timeout', async () => {
    server.routes.set('/slow.txt', { body: LIST, stallAfterBytes: 4 });
    const r = await fetchFeed({ url: server.url('/slow.txt'), previous: NONE, timeoutMs: 300 });
    expect(r).toMatchObject({ kind: 'failed', error: 'no complete answer within 0.3 s' });
  });

  it('reports an error status, and a server nobody answers at', async () => {
    server.routes.set('/broken.txt', { body: 'oops', status: 500 });
    const r = await fetchFeed({ url: server.url('/broken.txt'), previous: NONE });
    expect(r).toMatchObject({ kind: 'failed', status: 500, error: 'the server answered 500 Internal Server Error' });
    const missing = await fetchFeed({ url: server.url('/nothing.txt'), previous: NONE });
    expect(missing).toMatchObject({ kind: 'failed', status: 404 });
    const closed = await FeedServer.start();
    const url = closed.url('/list.txt');
    await closed.close();
    const refused = await fetchFeed({ url, previous: NONE });
    expect(refused.kind === 'failed' && refused.error).toContain('ECONNREFUSED');
  });

  it('follows up to three redirects and no more', async () => {
    server.routes.set('/list.txt', { body: LIST });
    server.routes.set('/r1', { redirect: { status: 301, location: '/list.txt' } });
    server.routes.set('/r2', { redirect: { status: 302, location: '/r1' } });
    server.routes.set('/r3', { redirect: { status: 307, location: server.url('/r2') } });
    server.routes.set('/r4', { redirect: { status: 308, location: '/r3' } });
    const three = await fetchFeed({ url: server.url('/r3'), previous: NONE });
    expect(three).toMatchObject({ kind: 'downloaded', finalUrl: server.url('/list.txt') });
    const four = await fetchFeed({ url: server.url('/r4'), previous: NONE });
    expect(four).toMatchObject({ kind: 'failed', error: 'more than 3 redirects' });
    server.routes.set('/ftp', { redirect: { status: 302, location: 'ftp://127.0.0.1/list.txt' } });
    const ftp = await fetchFeed({ url: server.url('/ftp'), previous: NONE });
    expect(ftp.kind === 'failed' && ftp.error).toContain('refused a redirect');
  });

  it('sends credentials written in the URL as Basic authorization, and hides the password', async () => {
    server.routes.set('/list.txt', { body: LIST });
    const url = server.url('/list.txt').replace('http://', 'http://school:s3cret@');
    const r = await fetchFeed({ url, previous: NONE });
    expect(r.kind).toBe('downloaded');
    expect(server.requestsTo('/list.txt')[0]?.headers.authorization).toBe(`Basic ${Buffer.from('school:s3cret').toString('base64')}`);
    expect(displayUrl(url)).not.toContain('s3cret');
    expect(splitCredentials(new URL(url)).url.href).toBe(server.url('/list.txt'));
  });
});

describe('redirectAllowed', () => {
  const u = (s: string): URL => new URL(s);
  it('allows the same scheme and the upgrade to HTTPS, never the downgrade', () => {
    expect(redirectAllowed(u('http://a/x'), u('http://b/y'))).toBe(true);
    expect(redirectAllowed(u('https://a/x'), u('https://b/y'))).toBe(true);
    expect(redirectAllowed(u('http://a/x'), u('https://a/x'))).toBe(true);
    expect(redirectAllowed(u('https://a/x'), u('http://a/x'))).toBe(false);
    expect(redirectAllowed(u('https://a/x'), u('file:///etc/passwd'))).toBe(false);
  });
});
