// The daemon's end of the control socket. Each method declares its parameter schema beside its
// handler (as fastify routes do), so a CLI of another version gets a clear error, not a crash.
import { chmod, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { Logger } from '../log.ts';
import { ControlRequest, MAX_REQUEST_BYTES, type ControlCaller, type ControlMessage } from './protocol.ts';

/** What a method can do besides answer: tell the caller how it is getting on. */
export interface ControlContext {
  /** Sends one line of progress to the caller now, before the answer. */
  progress(line: string): void;
}

export interface ControlMethod<P = unknown> {
  params?: TSchema;
  /** A larger request limit for this method alone (it carries a file); others keep MAX_REQUEST_BYTES. */
  maxRequestBytes?: number;
  handle(params: P, caller: ControlCaller, context: ControlContext): Promise<unknown> | unknown;
}

/** An error whose message is meant for the technician, with a stable code for scripts. */
export class ControlFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Runs a method's body with its errors turned into ControlFailures by `failure` (the method's own
 * mapping of its domain errors to codes), whether the body throws or its promise rejects.
 */
export function guardedBy(failure: (error: unknown) => never): <T>(fn: () => T) => T {
  return <T>(fn: () => T): T => {
    try {
      const result = fn();
      if (result instanceof Promise) return result.catch(failure) as T;
      return result;
    } catch (error) {
      return failure(error);
    }
  };
}

export class ControlServer {
  readonly #methods = new Map<string, ControlMethod<never>>();
  readonly #sockets = new Set<Socket>();
  readonly #logger: Logger;
  /** The longest line any method accepts: a connection buffers no more than this. */
  #maxLineBytes = MAX_REQUEST_BYTES;
  #server: Server | undefined;
  #path = '';

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  register<P>(name: string, method: ControlMethod<P>): void {
    if (this.#methods.has(name)) throw new Error(`control method ${name} registered twice`);
    this.#methods.set(name, method as ControlMethod<never>);
    this.#maxLineBytes = Math.max(this.#maxLineBytes, method.maxRequestBytes ?? 0);
  }

  /**
   * Calls a method in-process, as the socket would (the same parameter check, the same handler):
   * the admin API reuses each method rather than doing its work a second time.
   */
  async invoke(name: string, params: unknown, caller: ControlCaller, progress: (line: string) => void = () => undefined): Promise<unknown> {
    const method = this.#methods.get(name);
    if (!method) throw new ControlFailure('unknown-method', `the daemon does not offer "${name}"`);
    const given = params ?? {};
    if (method.params && !Value.Check(method.params, given)) {
      const first = [...Value.Errors(method.params, given)][0];
      throw new ControlFailure('bad-params', `${first?.instancePath || '/'}: ${first?.message ?? 'invalid'}`);
    }
    return method.handle(given as never, caller, { progress });
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
    // Bytes, not strings: a line is decoded once it is whole (a character may straddle two
    // chunks), and only each new chunk is searched for the newline, so a request of tens of MiB
    // costs one pass rather than one per chunk.
    let parts: Buffer[] = [];
    let size = 0;
    socket.on('data', (chunk: Buffer) => {
      let from = 0;
      let newline = chunk.indexOf(0x0a, from);
      while (newline >= 0) {
        parts.push(chunk.subarray(from, newline));
        const line = Buffer.concat(parts, size + newline - from);
        parts = [];
        size = 0;
        from = newline + 1;
        if (line.length > this.#maxLineBytes) return this.#tooLarge(socket);
        const text = line.toString('utf8');
        if (text.trim()) void this.#dispatch(socket, text, line.length);
        newline = chunk.indexOf(0x0a, from);
      }
      if (from < chunk.length) {
        parts.push(chunk.subarray(from));
        size += chunk.length - from;
        if (size > this.#maxLineBytes) this.#tooLarge(socket);
      }
    });
  }

  #tooLarge(socket: Socket): void {
    this.#send(socket, { id: 0, ok: false, error: { code: 'too-large', message: 'request too large' } });
    socket.end();
    socket.removeAllListeners('data');
  }

  async #dispatch(socket: Socket, line: string, bytes: number): Promise<void> {
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
    const limit = method.maxRequestBytes ?? MAX_REQUEST_BYTES;
    if (bytes > limit) {
      this.#send(socket, { id: request.id, ok: false, error: { code: 'too-large', message: `a "${request.method}" request may be at most ${limit} bytes; this one is ${bytes}` } });
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
      const context: ControlContext = { progress: (line) => this.#send(socket, { id: request.id, progress: line }) };
      const result = await method.handle(params as never, request.caller, context);
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

  #send(socket: Socket, message: ControlMessage): void {
    if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
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
