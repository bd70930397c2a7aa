// The lab internet's mail relay, started on demand (Lab.startSmtp): smtp-sink.ts in `wan` at
// INTERNET.smtp:smtpPort, STARTTLS with the lab's certificate (which names that address), so the
// gateway sends as it would to a school's relay, with the upgrade required and the certificate
// verified against the lab CA. Every message received is kept, decoded, in `received`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { INTERNET } from './addresses.ts';
import { inNamespace } from './exec.ts';
import { NODE, REPO_ROOT } from './gateway.ts';
import { waitListening } from './readiness.ts';
import type { LabTls } from './tls.ts';

export interface LabMail {
  from: string;
  to: string[];
  /** Whether the session was upgraded to TLS before the message was sent. */
  secure: boolean;
  /** The header block as sent (folded lines kept). */
  headers: string;
  /** The body, decoded from quoted-printable when it was sent so. */
  body: string;
}

export interface LabSmtp {
  host: string;
  port: number;
  /** Every message received so far, in order. */
  received: LabMail[];
  /** Resolves with the messages once `done(received)` is true; rejects after `timeoutMs` with what did arrive. */
  waitFor(done: (received: readonly LabMail[]) => boolean, timeoutMs?: number): Promise<LabMail[]>;
  stop(): Promise<void>;
}

function decodeQuotedPrintable(text: string): string {
  return Buffer.from(text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}

function parseMail(raw: string): { headers: string; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  return { headers, body: /content-transfer-encoding:\s*quoted-printable/i.test(headers) ? decodeQuotedPrintable(body) : body };
}

/** The value of one header of a LabMail, unfolded. */
export const mailHeader = (mail: LabMail, name: string): string | undefined =>
  new RegExp(`^${name}:\\s*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(mail.headers)?.[1]?.replace(/\r\n[ \t]+/g, ' ');

export async function startLabSmtp(wanNs: string, tls: LabTls, onExit: (child: ChildProcess) => void): Promise<LabSmtp> {
  const argv = inNamespace(wanNs, [NODE, join(REPO_ROOT, 'scripts/netlab/smtp-sink.ts'), INTERNET.smtp, String(INTERNET.smtpPort), tls.certFile, tls.keyFile]);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  onExit(child);
  const received: LabMail[] = [];
  const watchers = new Set<() => void>();
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
  child.on('error', (e) => { stderr += `\n${e.message}`; });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as { from: string; to: string[]; secure: boolean; raw: string };
    received.push({ from: m.from, to: m.to, secure: m.secure, ...parseMail(m.raw) });
    for (const w of [...watchers]) w();
  });
  try {
    await waitListening(child, 'smtp-sink', [{ protocol: 'tcp', address: INTERNET.smtp, port: INTERNET.smtpPort }], 10_000, async () => stderr);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    host: INTERNET.smtp,
    port: INTERNET.smtpPort,
    received,
    waitFor(done, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!done(received)) return;
          cleanup();
          resolve([...received]);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`the lab's SMTP server did not receive what was awaited in ${timeoutMs} ms; it received ${received.length}: ${JSON.stringify(received.map((r) => ({ to: r.to, subject: mailHeader(r, 'Subject') })))}${stderr ? `\n${stderr}` : ''}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
