// The CLI's end of the control socket.
import { createConnection } from 'node:net';
import { userInfo } from 'node:os';
import type { ControlRequest, ControlResponse } from './protocol.ts';

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

export async function callDaemon(socketPath: string, method: string, params?: unknown, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffered = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the daemon did not answer "${method}" within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const finish = (fn: () => void): void => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      const request: ControlRequest = { id: 1, method, caller: caller(), ...(params === undefined ? {} : { params }) };
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      let response: ControlResponse;
      try {
        response = JSON.parse(buffered.slice(0, newline)) as ControlResponse;
      } catch {
        finish(() => reject(new Error('the daemon sent an unreadable answer')));
        return;
      }
      if (response.ok) finish(() => resolve(response.result));
      else finish(() => reject(new ControlCallError(response.error.code, response.error.message)));
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
