// Fleet logs in the lab: Debian's rsyslog in `wan` is a trust's collector, taking RFC 5425 TLS
// (with the lab's certificate, which the gateway verifies against the lab CA) and RFC 6587 TCP.
// The daemon in `gw` forwards to both. Proves: the daemon's start (an audit entry) arrives; a
// pupil device looking up a name on a restricted list raises a critical alert that reaches both
// inputs as one RFC 5424 message rsyslog parsed, carrying the school's identifier, the kind and
// the network in its structured data; `schoolgate status` shows both collectors connected with
// nothing dropped; a backup made through the control socket (its passphrase stored first) arrives
// as a "backup" message, event "created", with the school's structured data; and the daemon's stop
// is sent before it exits.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { INTERNET } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT } from '../../scripts/netlab/gateway.ts';
import type { DaemonStatus } from '../../firmware/status.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'syslog.test' });

const RESTRICTED = 'restricted-example.test';
const SCHOOL = 'urn-123456';

/** RSYSLOG_SyslogProtocol23Format: "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG", as rsyslog parsed it. */
const LINE = /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[.*?[^\\]\]) (.*)$/;

function sdParams(sd: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of sd.matchAll(/ ([^= \]"]+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return out;
}

const alertLine = (lines: readonly string[]): string | undefined => lines.find((l) => LINE.exec(l)?.[6] === 'alert');
const backupLine = (lines: readonly string[]): string | undefined => lines.find((l) => LINE.exec(l)?.[6] === 'backup');

test('rsyslog receives the daemon\'s start, a restricted lookup\'s alert with the school\'s identifier over TLS and TCP, a backup, and the stop', async () => {
  const syslog = await lab().startSyslog();
  const listFile = join(lab().scratch('lists'), 'restricted.txt');
  await writeFile(listFile, `${RESTRICTED}\n`);
  const config = lab().gatewayConfig();
  config.lists.push({ id: 'provider-restricted', name: 'Provider restricted list', category: 'illegal', file: listFile, format: 'domains', restricted: true, enabled: true });
  config.syslog = {
    school: SCHOOL, hostname: 'gw-oakfield', facility: 'local3',
    collectors: [
      { host: INTERNET.syslog, port: INTERNET.syslogTlsPort, transport: 'tls', caFile: lab().tls.caFile },
      { host: INTERNET.syslog, port: INTERNET.syslogTcpPort, transport: 'tcp' },
    ],
  };
  const gateway = await lab().startGateway(config);
  const failing = (e: Error): never => { throw new Error(`${e.message}\nthe gateway's output:\n${gateway.output()}`); };

  const started = await syslog.waitFor('tls', (lines) => lines.some((l) => l.includes('action="daemon.start"'))).catch(failing);
  expect(LINE.exec(started.find((l) => l.includes('action="daemon.start"'))!)).toBeTruthy();

  const dig = await lab().exec('pupil', ['dig', '+short', '@10.20.0.1', RESTRICTED]);
  expect(dig.code).toBe(0);
  for (const input of ['tls', 'tcp'] as const) {
    const lines = await syslog.waitFor(input, (l) => alertLine(l) !== undefined).catch(failing);
    const [, pri, timestamp, hostname, appName, procId, msgId, sd, msg] = LINE.exec(alertLine(lines)!)!;
    // local3 (19) × 8 + crit (2)
    expect({ pri, hostname, appName, msgId }, input).toEqual({ pri: '154', hostname: 'gw-oakfield', appName: 'schoolgate', msgId: 'alert' });
    expect(Number(procId)).toBe(gateway.pid);
    expect(Math.abs(Date.parse(timestamp!) - Date.now())).toBeLessThan(10 * 60_000);
    expect(sd!.startsWith('[schoolgate@32473 ')).toBe(true);
    expect(sdParams(sd!)).toMatchObject({ school: SCHOOL, site: config.site.name, kind: 'dns.restricted', severity: 'critical', network: 'pupil', address: lab().addresses.CLIENTS.find((c) => c.ns === 'pupil')!.staticAddress });
    expect(msg).toMatch(/^CRITICAL alert \d+: A name on a restricted \(illegal-content\) list was looked up/);
  }

  // A backup made through the control socket, with the passphrase stored first, goes out as a
  // "backup" message of its own: event "created", the file, and the school's identifier.
  const cli = (args: string[]) => lab().exec('gw', [NODE, MAIN, ...args, '--data-dir', gateway.dataDir], { cwd: REPO_ROOT, timeoutMs: 120_000 });
  const passFile = join(lab().scratch('backup'), 'passphrase.txt');
  await writeFile(passFile, 'kept in the school safe\n', { mode: 0o600 });
  expect((await cli(['backup', 'passphrase', '--passphrase-file', passFile])).code).toBe(0);
  const made = await cli(['backup', 'create']);
  expect(made.code, made.stderr).toBe(0);
  for (const input of ['tls', 'tcp'] as const) {
    const lines = await syslog.waitFor(input, (l) => backupLine(l) !== undefined).catch(failing);
    const [, pri, , hostname, , , msgId, sd, msg] = LINE.exec(backupLine(lines)!)!;
    // local3 (19) × 8 + notice (5)
    expect({ pri, hostname, msgId }, input).toEqual({ pri: '157', hostname: 'gw-oakfield', msgId: 'backup' });
    const params = sdParams(sd!);
    expect(params).toMatchObject({ school: SCHOOL, site: config.site.name, event: 'created', file: expect.stringMatching(/^schoolgate-backup-.*\.sgexport$/), size: expect.stringMatching(/^\d+$/) });
    // Not made before an upgrade: the empty param is left out.
    expect(params.beforeUpgradeTo).toBeUndefined();
    expect(msg).toMatch(/^backup schoolgate-backup-\S+ made, \d+ bytes \(/);
  }

  const status = await lab().exec('gw', [NODE, MAIN, 'status', '--json', '--data-dir', gateway.dataDir], { cwd: REPO_ROOT, timeoutMs: 30_000 });
  const fleet = (JSON.parse(status.stdout) as DaemonStatus).fleet!;
  expect(fleet.school).toBe(SCHOOL);
  expect(fleet.collectors.map((c) => [c.collector, c.state, c.dropped])).toEqual([
    [`tls://${INTERNET.syslog}:${INTERNET.syslogTlsPort}`, 'connected', 0],
    [`tcp://${INTERNET.syslog}:${INTERNET.syslogTcpPort}`, 'connected', 0],
  ]);
  expect(fleet.collectors.every((c) => c.sent >= 2)).toBe(true);

  await lab().stopGateway();
  await syslog.waitFor('tls', (lines) => lines.some((l) => l.includes('action="daemon.stop"')), 5_000).catch(failing);
});
