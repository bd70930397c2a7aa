// The TCP retry of a truncated answer: one connection, one framed query, one framed answer,
// bounded by the same timeout as a UDP try. Over TCP the stream carries only our query, so an
// answer that does not match it means a broken upstream.
import net from 'node:net';
import type { FailureReason } from './forwarder.ts';
import { AnswerCheck, checkUpstreamAnswer } from './upstream-message.ts';

export type TcpExchange =
  | { kind: 'answer'; response: Uint8Array }
  | { kind: 'failed'; reason: FailureReason; error?: Error };

export const TCP_CLOSED: TcpExchange = { kind: 'failed', reason: 'closed' };
const TCP_TIMEOUT: TcpExchange = { kind: 'failed', reason: 'timeout' };

/**
 * Asks `query` of `target` over TCP. `live` holds an abort for the exchange while it runs, so
 * closing the forwarder can end it (as `closed`).
 */
export function exchangeOverTcp(target: { address: string; port: number }, query: Buffer, timeoutMs: number, live: Set<() => void>): Promise<TcpExchange> {
  return new Promise<TcpExchange>((resolve) => {
    const socket = net.connect({ host: target.address, port: target.port, noDelay: true });
    let done = false;
    let received: Buffer = Buffer.alloc(0);
    const finish = (result: TcpExchange): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      live.delete(abort);
      socket.destroy();
      resolve(result);
    };
    const abort = (): void => finish(TCP_CLOSED);
    const timer = setTimeout(finish, timeoutMs, TCP_TIMEOUT);
    live.add(abort);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      finish({ kind: 'failed', reason: error.code === 'ECONNREFUSED' ? 'unreachable' : 'error', error });
    });
    socket.on('close', () => finish({ kind: 'failed', reason: 'error', error: new Error('connection closed before the answer') }));
    socket.on('data', (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const length = received.readUInt16BE(0);
      if (received.length < 2 + length) return;
      const response = received.subarray(2, 2 + length);
      if (checkUpstreamAnswer(response, query) === AnswerCheck.mismatch) finish({ kind: 'failed', reason: 'bad-answer' });
      else finish({ kind: 'answer', response });
    });
    const framed = Buffer.allocUnsafe(query.length + 2);
    framed.writeUInt16BE(query.length, 0);
    query.copy(framed, 2);
    socket.write(framed);
  });
}
