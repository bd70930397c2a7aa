// A real HTTP server on 127.0.0.1 playing a feed host: it answers conditional requests as nginx
// does (ETag, Last-Modified), and can be told to misbehave (an error status, a stall, a redirect,
// a body larger than it says). Every request is recorded with its headers.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FeedRoute {
  body?: string | Buffer;
  status?: number;
  etag?: string;
  lastModified?: string;
  /** Ignore If-None-Match / If-Modified-Since (a server that always sends the whole file). */
  ignoreConditions?: boolean;
  /** Send no Content-Length (chunked), so only the client's own count can stop a large body. */
  chunked?: boolean;
  /** Send the headers and this much of the body, then nothing more. */
  stallAfterBytes?: number;
  /** Answer with this redirect status and Location. */
  redirect?: { status: number; location: string };
}

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
}

export class FeedServer {
  readonly routes = new Map<string, FeedRoute>();
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #stalled = new Set<ServerResponse>();

  private constructor() {
    this.#server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      this.requests.push({ path, headers: req.headers });
      const route = this.routes.get(path);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      if (route.redirect) {
        res.writeHead(route.redirect.status, { location: route.redirect.location }).end();
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (route.etag) headers.etag = route.etag;
      if (route.lastModified) headers['last-modified'] = route.lastModified;
      if (!route.ignoreConditions && (route.status ?? 200) === 200) {
        const inm = req.headers['if-none-match'];
        const ims = req.headers['if-modified-since'];
        const etagMatches = route.etag !== undefined && inm === route.etag;
        const notModifiedSince = inm === undefined && route.lastModified !== undefined && ims !== undefined
          && Date.parse(ims) >= Date.parse(route.lastModified);
        if (etagMatches || notModifiedSince) {
          res.writeHead(304, headers).end();
          return;
        }
      }
      const body = typeof route.body === 'string' ? Buffer.from(route.body) : route.body ?? Buffer.alloc(0);
      if (!route.chunked && route.stallAfterBytes === undefined) headers['content-length'] = String(body.length);
      res.writeHead(route.status ?? 200, headers);
      if (route.stallAfterBytes !== undefined) {
        res.write(body.subarray(0, route.stallAfterBytes));
        this.#stalled.add(res);
        return;
      }
      if (route.chunked) {
        // Several writes: the client sees a stream, not one buffer.
        const step = 64 * 1024;
        for (let i = 0; i < body.length; i += step) res.write(body.subarray(i, i + step));
      }
      res.end(route.chunked ? undefined : body);
    });
  }

  static async start(): Promise<FeedServer> {
    const server = new FeedServer();
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    for (const res of this.#stalled) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
