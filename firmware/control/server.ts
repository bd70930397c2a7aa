// The daemon's end of the control socket. Each method declares its parameter schema beside its
// handler (as fastify routes do), so a CLI of another version gets a clear error, not a crash.
import { chmod, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { Logger } from '../log.ts';
import { ControlRequest, MAX_REQUEST_BYTES, type ControlResponse } from './protocol.ts';

export interface ControlMethod<P = unknown> {
  params?: TSchema;
  handle(params: P, caller: ControlRequest['caller']): Promise<unknown> | unknown;
}

/** An error whose message is meant for the technician, with a stable code for scripts. */
export class ControlFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export class ControlServer {
  readonly #methods = new Map<string, ControlMethod<never>>();
  readonly #sockets = new Set<Socket>();
  readonly #logger: Logger;
  #server: Server | undefined;
  #path = '';

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  register<P>(name: string, method: ControlMethod<P>): void {
    if (this.#methods.has(name)) throw new Error(`control method ${name} registered twice`);
    this.#methods.set(name, method as ControlMethod<never>);
  }

  async listen(path: string): Promise<void> {
    await removeStaleSocket(path);
    const server = createServer((socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Root and the schoolgate group only: anyone who can talk to this socket can change filtering.
    await chmod(path, 0o660);
    server.on('error', (err) => this.#logger.error({ err }, 'control socket error'));
    this.#server = server;
    this.#path = path;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await unlink(this.#path).catch(() => undefined);
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_REQUEST_BYTES) {
        this.#send(socket, { id: 0, ok: false, error: { code: 'too-large', message: 'request too large' } });
        socket.end();
        return;
      }
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) void this.#dispatch(socket, line);
        newline = buffered.indexOf('\n');
      }
    });
  }

  async #dispatch(socket: Socket, line: string): Promise<void> {
    let request: ControlRequest;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!Value.Check(ControlRequest, parsed)) {
        this.#send(socket, { id: 0, ok: false, error: { code: 'bad-request', message: 'request does not match the control protocol' } });
        return;
      }
      request = parsed;
    } catch {
      this.#send(socket, { id: 0, ok: false, error: { code: 'bad-request', message: 'request is not JSON' } });
      return;
    }
    const method = this.#methods.get(request.method);
    if (!method) {
      this.#send(socket, { id: request.id, ok: false, error: { code: 'unknown-method', message: `the daemon does not know "${request.method}" (is the CLI newer than the daemon?)` } });
      return;
    }
    const params = request.params ?? {};
    if (method.params && !Value.Check(method.params, params)) {
      const first = [...Value.Errors(method.params, params)][0];
      const where = first?.instancePath || '/';
      this.#send(socket, { id: request.id, ok: false, error: { code: 'bad-params', message: `${where}: ${first?.message ?? 'invalid'}` } });
      return;
    }
    try {
      const result = await method.handle(params as never, request.caller);
      this.#send(socket, { id: request.id, ok: true, result: result ?? null });
    } catch (err) {
      if (err instanceof ControlFailure) {
        this.#send(socket, { id: request.id, ok: false, error: { code: err.code, message: err.message } });
      } else {
        this.#logger.error({ err, method: request.method }, 'control method failed');
        this.#send(socket, { id: request.id, ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } });
      }
    }
  }

  #send(socket: Socket, response: ControlResponse): void {
    if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
  }
}

/** Refuses to go on when a daemon already answers on this socket: two daemons would share stores. */
export async function assertNoDaemonAt(path: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another Schoolgate daemon is already running with this data directory (${path} answers)`);
}

/** A socket file left by a daemon that died is removed; one that answers means a daemon is running. */
async function removeStaleSocket(path: string): Promise<void> {
  await assertNoDaemonAt(path);
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
