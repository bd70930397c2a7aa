// `schoolgate reports governor|summary|export` and `schoolgate export open` against a real daemon:
// a device's records exported sealed and encrypted, opened again with the passphrase and refused
// with a wrong one; the governor report and the summary from the running gateway.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AssuranceSummary, GovernorReport } from '../../../firmware/monitor/reports/report-schema.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { runCli, startDaemonProcess, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { startTestUpstream } from '../../support/upstream.ts';

let daemon: RunningDaemon;
let stopUpstream: () => Promise<void>;
const MAC = '02:5c:00:20:00:10';

beforeAll(async () => {
  const upstream = await startTestUpstream();
  stopUpstream = upstream.close;
  const config = await testConfig(upstream);
  config.lists = [];
  daemon = await startDaemonProcess(config);
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  state.alerts.record({
    kind: 'dns.category', severity: 'high', at: new Date().toISOString(), networkId: 'pupil', mac: MAC, address: '10.20.0.5',
    subject: 'casino.example', reason: 'gambling', category: 'gambling',
  }, new Date());
  state.close();
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

it('exports a device sealed and encrypted, opens it with the passphrase, refuses a wrong one and writes nothing then', async () => {
  const pass = join(daemon.dataDir, 'pass.txt');
  await writeFile(pass, 'a long enough passphrase\n');
  const sealed = join(daemon.dataDir, 'device.sgexport');
  const run = await daemon.cli(['reports', 'export', '--device', MAC, '--passphrase-file', pass, '--out', sealed]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/records written to .*encrypted, sealed/);
  expect((await stat(sealed)).mode & 0o777).toBe(0o600);

  const wrong = join(daemon.dataDir, 'wrong.txt');
  await writeFile(wrong, 'not the passphrase at all\n');
  // Opening needs no daemon: whoever received the file opens it anywhere.
  const refused = await runCli(['export', 'open', sealed, '--passphrase-file', wrong, '--out', join(daemon.dataDir, 'never.csv')]);
  expect(refused.code).toBe(4);
  expect(refused.stderr).toMatch(/passphrase is wrong, or the file was changed/);
  await expect(stat(join(daemon.dataDir, 'never.csv'))).rejects.toThrow(/ENOENT/);

  const out = join(daemon.dataDir, 'device.csv');
  const opened = await runCli(['export', 'open', sealed, '--passphrase-file', pass, '--out', out]);
  expect(opened.code, opened.stderr).toBe(0);
  expect(opened.stdout).toMatch(/exported by\s+ssh:/);
  const csv = await readFile(out, 'utf8');
  expect(csv.split('\r\n')[0]).toBe('record,at,until,network,device,kind,detail,count');
  expect(csv).toContain('casino.example');

  const audit = await daemon.cli(['audit', '--action', 'report.export', '--json']);
  expect(audit.stdout).toContain(MAC);
});

it('prints the governor report and the assurance summary, and refuses a backwards span', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const report = JSON.parse((await daemon.cli(['reports', 'governor', '--from', today, '--to', today, '--json'])).stdout) as GovernorReport;
  expect(report.alerts.total).toBe(1);
  expect(JSON.stringify(report)).not.toContain(MAC);
  const summary = JSON.parse((await daemon.cli(['reports', 'summary', '--json'])).stdout) as AssuranceSummary;
  // The daemon wires the weekly review and the incident log in: nothing signed off or opened yet, rather than "not recorded".
  expect(summary).toMatchObject({ reviews: { last: null, streakWeeks: 0 }, incidents: { openIncidents: 0, openActions: 0 }, auditChain: { verified: true } });
  const text = await daemon.cli(['reports', 'summary']);
  expect(text.stdout).toMatch(/Last weekly review: none signed off yet/);
  const backwards = await daemon.cli(['reports', 'governor', '--from', '2026-12-06', '--to', '2026-11-01']);
  expect(backwards.code).toBe(4);
  expect(backwards.stderr).toMatch(/before it starts/);
});
