// The CLI's end of the control socket.
import { createConnection } from 'node:net';
import { userInfo } from 'node:os';
import type { ControlMessage, ControlRequest } from './protocol.ts';

export class DaemonNotRunning extends Error {}

export class ControlCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function caller(): ControlRequest['caller'] {
  const sudoUser = process.env.SUDO_USER;
  return sudoUser ? { user: userInfo().username, sudoUser } : { user: userInfo().username };
}

export interface CallOptions {
  /** Each progress line the method sends before its answer, as it arrives. */
  onProgress?: (line: string) => void;
}

/**
 * Calls `method` and resolves with its result. `timeoutMs` counts from the last sign of life: a
 * method that keeps sending progress (a long feed update) is not cut off while it works.
 */
export async function callDaemon(socketPath: string, method: string, params?: unknown, timeoutMs = 10_000, options: CallOptions = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffered = '';
    let settled = false;
    const expire = (): void => {
      socket.destroy();
      settled = true;
      reject(new Error(`the daemon did not answer "${method}" within ${timeoutMs / 1000} s`));
    };
    let timer = setTimeout(expire, timeoutMs);
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const handle = (line: string): void => {
      let message: ControlMessage;
      try {
        message = JSON.parse(line) as ControlMessage;
      } catch {
        finish(() => reject(new Error('the daemon sent an unreadable answer')));
        return;
      }
      if ('progress' in message) {
        clearTimeout(timer);
        timer = setTimeout(expire, timeoutMs);
        options.onProgress?.(message.progress);
      } else if (message.ok) {
        finish(() => resolve(message.result));
      } else {
        finish(() => reject(new ControlCallError(message.error.code, message.error.message)));
      }
    };
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      const request: ControlRequest = { id: 1, method, caller: caller(), ...(params === undefined ? {} : { params }) };
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0 && !settled) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) handle(line);
        newline = buffered.indexOf('\n');
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
        finish(() => reject(new DaemonNotRunning(`no Schoolgate daemon is running here (${socketPath}: ${err.code === 'ENOENT' ? 'no socket' : 'nobody listening'})`)));
      } else if (err.code === 'EACCES') {
        finish(() => reject(new Error(`permission denied on ${socketPath}: run as root or as a member of the schoolgate group`)));
      } else {
        finish(() => reject(err));
      }
    });
    socket.once('close', () => finish(() => reject(new Error('the daemon closed the connection without answering'))));
  });
}
