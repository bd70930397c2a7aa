// Debian's dnsmasq, twice: as the benchmark's "internet" (the upstream that knows the allowed
// names and nothing else) and as the reference filter Schoolgate is compared with. Both are
// pinned to loopback and never read the host's resolv.conf, hosts or dnsmasq.conf, so no
// question can leave the machine.
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { spawnTracked } from './children.ts';

export const DNSMASQ = '/usr/sbin/dnsmasq';

export interface DnsmasqOptions {
  /** A short name for the files it writes: "upstream" or "dnsmasq". */
  name: string;
  address: string;
  port: number;
  hostsFile: string;
  /** Where unknown names go; absent for the upstream, which then answers REFUSED. */
  server?: { address: string; port: number };
  workDir: string;
  logQueries?: boolean;
  /** Scheduling niceness for the process (`nice -n`); absent: inherited. */
  nice?: number;
}

export interface RunningDnsmasq {
  child: ChildProcess;
  args: string[];
  logFile: string;
  spawnedAt: number;
}

export function dnsmasqArgs(o: DnsmasqOptions): string[] {
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--bind-interfaces',
    `--listen-address=${o.address}`,
    `--port=${o.port}`,
    `--addn-hosts=${o.hostsFile}`,
    `--pid-file=${join(o.workDir, `${o.name}.pid`)}`,
    `--log-facility=${join(o.workDir, `${o.name}.log`)}`,
  ];
  if (o.server) args.push(`--server=${o.server.address}#${o.server.port}`);
  // As root dnsmasq would switch to "nobody", which cannot read our 0700 temp directory.
  if (process.getuid?.() === 0) args.push('--user=root');
  if (o.logQueries) args.push('--log-queries');
  return args;
}

export function startDnsmasq(o: DnsmasqOptions): RunningDnsmasq {
  const args = dnsmasqArgs(o);
  const spawnedAt = performance.now();
  // nice(1) execs dnsmasq, so the child's pid is dnsmasq's.
  const child = o.nice === undefined ? spawnTracked(DNSMASQ, args) : spawnTracked('nice', ['-n', String(o.nice), DNSMASQ, ...args]);
  // Its own messages go to --log-facility; anything on stdio is a startup failure worth keeping.
  const out = createWriteStream(join(o.workDir, `${o.name}.stdio`));
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return { child, args, logFile: join(o.workDir, `${o.name}.log`), spawnedAt };
}
