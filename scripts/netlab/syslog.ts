// The lab internet's log collector, started on demand (Lab.startSyslog): Debian's rsyslog in `wan`
// at INTERNET.syslog, as a trust runs it: imtcp on the syslog-conn port (RFC 6587, octet-counted
// frames) and a second imtcp input with the OpenSSL stream driver on 6514 (RFC 5425), presenting
// the lab's certificate (which names that address), so the gateway verifies it against the lab CA.
// Each input writes what it receives, as RFC 5424 lines (RSYSLOG_SyslogProtocol23Format), to its
// own file, which a test reads.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INTERNET } from './addresses.ts';
import { inNamespace } from './exec.ts';
import { waitListening } from './readiness.ts';
import type { LabTls } from './tls.ts';

export interface LabSyslog {
  host: string;
  tcpPort: number;
  tlsPort: number;
  /** The lines rsyslog has written so far for one input, each one RFC 5424 message. */
  lines(input: 'tcp' | 'tls'): Promise<string[]>;
  /** Resolves with an input's lines once `done(lines)` is true; rejects after `timeoutMs` with what did arrive. */
  waitFor(input: 'tcp' | 'tls', done: (lines: readonly string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** rsyslog's own syntax; every path is the lab's, so two labs' collectors never share a file. */
function rsyslogConf(dir: string, tls: LabTls): string {
  const q = (s: string): string => JSON.stringify(s);
  return `global(workDirectory=${q(join(dir, 'work'))}
  defaultNetstreamDriverCAFile=${q(tls.caFile)}
  defaultNetstreamDriverCertFile=${q(tls.certFile)}
  defaultNetstreamDriverKeyFile=${q(tls.keyFile)}
  maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address=${q(INTERNET.syslog)} port="${INTERNET.syslogTcpPort}" ruleset="tcp")
input(type="imtcp" address=${q(INTERNET.syslog)} port="${INTERNET.syslogTlsPort}" ruleset="tls"
  streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")
ruleset(name="tcp") { action(type="omfile" file=${q(join(dir, 'tcp.log'))} template="RSYSLOG_SyslogProtocol23Format") }
ruleset(name="tls") { action(type="omfile" file=${q(join(dir, 'tls.log'))} template="RSYSLOG_SyslogProtocol23Format") }
`;
}

export async function startLabSyslog(wanNs: string, dir: string, tls: LabTls, onExit: (child: ChildProcess) => void): Promise<LabSyslog> {
  await mkdir(join(dir, 'work'), { recursive: true });
  const conf = join(dir, 'rsyslog.conf');
  await writeFile(conf, rsyslogConf(dir, tls));
  // -n: stay in the foreground (the lab owns the process); -i: the lab's own pid file, not /run's.
  const argv = inNamespace(wanNs, ['rsyslogd', '-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  onExit(child);
  let output = '';
  const keep = (c: Buffer): void => { output = (output + c.toString()).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('error', (e) => { output += `\n${e.message}`; });
  try {
    await waitListening(child, 'rsyslogd', [
      { protocol: 'tcp', address: INTERNET.syslog, port: INTERNET.syslogTcpPort },
      { protocol: 'tcp', address: INTERNET.syslog, port: INTERNET.syslogTlsPort },
    ], 10_000, async () => output);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const lines = async (input: 'tcp' | 'tls'): Promise<string[]> => {
    const text = await readFile(join(dir, `${input}.log`), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
    return text.split('\n').filter((l) => l !== '');
  };
  return {
    host: INTERNET.syslog,
    tcpPort: INTERNET.syslogTcpPort,
    tlsPort: INTERNET.syslogTlsPort,
    lines,
    async waitFor(input, done, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await lines(input);
        if (done(now)) return now;
        if (Date.now() > deadline) {
          throw new Error(`the lab's rsyslog did not receive what was awaited on ${input} in ${timeoutMs} ms; it wrote ${now.length} lines:\n${now.join('\n')}${output ? `\nrsyslogd said:\n${output}` : ''}`);
        }
        // rsyslog writes a file, which says nothing when it grows: it is read again shortly.
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
