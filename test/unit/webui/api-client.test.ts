// The UI's API client against a real HTTP server on loopback: the CSRF header on every request
// that changes something (never on a GET), the session cookie sent back, and each kind of failure
// turned into words and per-field messages the forms can show.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiRequestError, UNREACHABLE } from '../../../webui/src/api.ts';

interface Seen { method: string; url: string; csrf: string | undefined; cookie: string | undefined; body: string }
const seen: Seen[] = [];
let server: Server;
let base: string;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => resolve(body));
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({ method: req.method!, url: req.url!, csrf: req.headers['x-csrf-token'] as string | undefined, cookie: req.headers.cookie, body });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    switch (`${req.method} ${req.url}`) {
      case 'GET /api/ok': return json(200, { hello: 'world' });
      case 'POST /api/ok': return json(200, { posted: JSON.parse(body) });
      case 'DELETE /api/ok': res.writeHead(204); return res.end();
      case 'POST /api/setup': return json(400, { error: 'Some answers need changing.', fields: { '/accounts/1/password': 'too common', 'site/name': 'too long' } });
      case 'POST /api/session': return json(401, { error: 'Enter your code.', code: 'totp-required' });
      case 'GET /api/session': return json(401, { error: 'Not signed in.' });
      case 'GET /api/html': res.writeHead(502, { 'content-type': 'text/html' }); return res.end('<h1>Bad gateway</h1>');
      case 'GET /api/not-api-error': return json(500, { message: 'fastify default shape' });
      default: return json(404, { error: 'no such route', code: 'not-found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function last(): Seen {
  return seen.at(-1)!;
}

describe('ApiClient', () => {
  it('sends the CSRF token on POST and DELETE, never on GET, and none before a session', async () => {
    const api = new ApiClient({ base });
    await api.post('/api/ok', { a: 1 });
    expect(last().csrf).toBeUndefined();
    api.setCsrfToken('tok-123');
    expect(await api.get('/api/ok')).toEqual({ hello: 'world' });
    expect(last().csrf).toBeUndefined();
    expect(await api.post('/api/ok', { a: 1 })).toEqual({ posted: { a: 1 } });
    expect(last()).toMatchObject({ method: 'POST', csrf: 'tok-123', body: '{"a":1}' });
    expect(await api.delete('/api/ok')).toBeUndefined();
    expect(last()).toMatchObject({ method: 'DELETE', csrf: 'tok-123' });
    api.setCsrfToken(null);
    await api.post('/api/ok', {});
    expect(last().csrf).toBeUndefined();
  });

  it('turns an ApiError into its words, code and per-field messages keyed without a leading slash', async () => {
    const api = new ApiClient({ base });
    const error = await api.post('/api/setup', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({ status: 400, message: 'Some answers need changing.', fields: { 'accounts/1/password': 'too common', 'site/name': 'too long' } });
  });

  it('does not call a wrong sign-in a lost session, but does call a 401 elsewhere one', async () => {
    let ended = 0;
    const api = new ApiClient({ base, onSessionEnded: () => { ended += 1; } });
    await expect(api.post('/api/session', { username: 'a', password: 'b' })).rejects.toMatchObject({ status: 401, code: 'totp-required' });
    expect(ended).toBe(0);
    await expect(api.get('/api/session')).rejects.toMatchObject({ status: 401, message: 'Not signed in.' });
    expect(ended).toBe(1);
  });

  it('gives words of its own for answers that are not ApiErrors', async () => {
    const api = new ApiClient({ base });
    await expect(api.get('/api/html')).rejects.toMatchObject({ status: 502, message: 'The gateway could not do this (HTTP 502).', fields: {} });
    await expect(api.get('/api/not-api-error')).rejects.toMatchObject({ status: 500, message: 'The gateway could not do this (HTTP 500).' });
    await expect(api.get('/api/nothing')).rejects.toMatchObject({ status: 404, code: 'not-found', message: 'no such route' });
  });

  it('says when the gateway cannot be reached at all', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const api = new ApiClient({ base: `http://127.0.0.1:${port}` });
    await expect(api.get('/api/ok')).rejects.toMatchObject({ status: UNREACHABLE, code: 'unreachable' });
  });
});
