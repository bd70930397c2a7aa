// Real servers on 127.0.0.1 for the delivery tests: an SMTP server (the smtp-server package) that
// keeps what it receives, an HTTP receiver that checks the webhook's signature as a real one
// would, a TCP port that accepts and never speaks, and a throwaway certificate made by openssl.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { verifySignature, type Verdict } from '../../../../../firmware/monitor/alerts/delivery/signature.ts';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as sent, its body decoded from quoted-printable. */
  headers: string;
  body: string;
  secure: boolean;
  user: string | undefined;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = Buffer.from(text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  return bytes.toString('utf8');
}

function parseMail(raw: string): { headers: string; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  const body = raw.slice(split + 4);
  return { headers, body: /content-transfer-encoding:\s*quoted-printable/i.test(headers) ? decodeQuotedPrintable(body) : body };
}

/** The value of one header, unfolded. */
export const header = (headers: string, name: string): string | undefined =>
  new RegExp(`^${name}:\\s*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(headers)?.[1]?.replace(/\r\n[ \t]+/g, ' ');

export async function startSmtp(options: { tls?: { key: string; cert: string }; implicitTls?: boolean; offerStartTls?: boolean; login?: { user: string; pass: string } } = {}) {
  const received: ReceivedMail[] = [];
  const waiting: Array<() => void> = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: options.login === undefined,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    ...(options.implicitTls ? { secure: true } : {}),
    ...(options.offerStartTls === false ? { disabledCommands: ['STARTTLS'] } : {}),
    onAuth(auth, _session, callback) {
      const ok = options.login !== undefined && auth.username === options.login.user && auth.password === options.login.pass;
      callback(ok ? null : new Error('Invalid username or password'), ok ? { user: auth.username } : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          ...parseMail(Buffer.concat(chunks).toString('utf8')),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        for (const wake of waiting.splice(0)) wake();
        callback();
      });
    },
  });
  // A client that gives up on the handshake (as one refusing the certificate should) is an error
  // on the server's side, expected here.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Accepts connections and says nothing: an SMTP relay that hangs. Counts the attempts made. */
export async function startSilentServer() {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  verdict: Verdict;
}

/**
 * A webhook receiver that verifies each request with `secret` (as docs/alert-webhook.md tells a
 * receiver to) and answers 401 to a bad signature; `answers` replaces the next answers in order.
 */
export async function startReceiver(secret: string, answers: Array<{ status: number; headers?: Record<string, string>; hang?: boolean }> = [], tls?: { key: string; cert: string }) {
  const received: ReceivedHook[] = [];
  const handle: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verdict = verifySignature(secret, req.headers['schoolgate-signature'] as string | undefined, body, Math.floor(Date.now() / 1000));
      received.push({ headers: req.headers, body, verdict });
      const answer = answers.shift();
      if (answer?.hang) return;
      if (answer) {
        res.writeHead(answer.status, answer.headers).end();
      } else if (verdict.ok) {
        res.writeHead(204).end();
      } else {
        res.writeHead(401, { 'content-type': 'text/plain' }).end(`bad signature: ${verdict.error}`);
      }
    });
  };
  const server = tls ? createHttpsServer(tls, handle) : createHttpServer(handle);
  // A client refusing the certificate ends the handshake: expected, not a failure of the server.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/schoolgate`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A self-signed certificate for 127.0.0.1 (and localhost), trusted by passing it as the CA. */
export function throwawayCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}
