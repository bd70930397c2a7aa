// `schoolgate data export` and `schoolgate data erase` against a real daemon: a device's records
// and a question it asked exported as JSON and CSV, erasure refused without --yes, done with it,
// and the audit chain still valid after; a device under investigation is not erased at all.
import { createSocket } from 'node:dgram';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EraseResult, SubjectExport } from '../../../firmware/monitor/subject/subject-schema.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { startTestUpstream } from '../../support/upstream.ts';
import { query } from '../dns/packets.ts';

let daemon: RunningDaemon;
let stopUpstream: () => Promise<void>;
const MAC = '02:5c:00:20:00:10';
const INVESTIGATED = '02:5c:00:20:00:11';

beforeAll(async () => {
  const upstream = await startTestUpstream();
  stopUpstream = upstream.close;
  const config = await testConfig(upstream);
  config.lists = [];
  // An investigation in force on a second device (its record is change control's; the entry is what the erasure looks at).
  const from = new Date();
  config.investigations = [{ id: 9, incidentId: 4, device: INVESTIGATED, policy: config.policies[0]!.id, from: from.toISOString(), until: new Date(from.getTime() + 86_400_000).toISOString() }];
  daemon = await startDaemonProcess(config);
  // A device as DHCP would have recorded it, beside the daemon (WAL: both may write).
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  state.devices.upsertSeen(MAC, 'pupil', new Date());
  state.devices.upsertSeen(INVESTIGATED, 'pupil', new Date());
  state.audit.append({ actor: 'ssh:tech', action: 'device.name', subject: MAC, details: { from: '', to: 'Year 3 iPad 12' } });
  state.close();
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

async function ask(name: string): Promise<void> {
  const socket = createSocket('udp4');
  const { address, port } = daemon.config.dns.listen[0]!;
  await new Promise<void>((resolve, reject) => {
    socket.once('message', () => resolve());
    socket.once('error', reject);
    socket.send(query(name), port, address);
  });
  socket.close();
}

const json = async <T>(args: string[]): Promise<T> => {
  const run = await daemon.cli(args);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
};

it('exports a device and an address as JSON and CSV, readable by the caller only, and audits the export', async () => {
  const out = join(daemon.dataDir, 'export.json');
  const csv = join(daemon.dataDir, 'export.csv');
  const run = await daemon.cli(['data', 'export', '--device', '02-5C-00-20-00-10', '--out', out]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/device record\s+yes/);
  const doc = JSON.parse(await readFile(out, 'utf8')) as SubjectExport;
  expect(doc.device?.mac).toBe(MAC);
  expect(doc.auditEntries.map((e) => e.action)).toEqual(['device.name']);
  expect((await stat(out)).mode & 0o777).toBe(0o600);

  await ask('=cmd.example.com');
  // The question reaches logs.db through the 50 ms drain: ask until the export holds it.
  let address: SubjectExport | undefined;
  await expect.poll(async () => {
    address = await json<SubjectExport>(['data', 'export', '--address', '127.0.0.1', '--csv', csv]);
    return address.queryEvents.length;
  }, { timeout: 20_000, interval: 200 }).toBe(1);
  expect(address!.queryEvents[0]!.name).toBe('=cmd.example.com');
  expect(address!.dailyRollups.reduce((n, r) => n + r.count, 0)).toBe(1);
  const lines = (await readFile(csv, 'utf8')).trimEnd().split('\r\n');
  expect(lines[0]).toBe('time,network,client,device,name,qtype,verdict,category,list,watch,visitor');
  // A name a spreadsheet would run as a formula is written inert.
  expect(lines[1]).toContain(",'=cmd.example.com,");
  const audit = await json<{ entries: { action: string; subject: string }[] }>(['audit', '--action', 'data.export', '--json']);
  expect(audit.entries.map((e) => e.subject)).toContain(MAC);
});

it('erases only with --yes and a reason; the audit chain verifies after', async () => {
  const refused = await daemon.cli(['data', 'erase', '--device', MAC, '--reason', 'SAR 2026-14']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/add --yes/);
  expect((await daemon.cli(['data', 'erase', '--device', MAC, '--yes'])).stderr).toMatch(/needs --reason/);
  const result = await json<EraseResult>(['data', 'erase', '--device', MAC, '--reason', 'SAR 2026-14', '--yes', '--json']);
  expect(result.erased).toMatchObject({ device: true, reason: 'SAR 2026-14' });
  const again = await json<SubjectExport>(['data', 'export', '--device', MAC]);
  expect(again.device).toBeNull();
  const verify = await daemon.cli(['audit', 'verify']);
  expect(verify.code, verify.stdout).toBe(0);
  const bad = await daemon.cli(['data', 'erase', '--device', 'nonsense', '--reason', 'SAR', '--yes']);
  expect(bad.code).toBe(4);
  expect(bad.stderr).toMatch(/not a MAC address/);
});

it('refuses to erase a device under investigation, naming it, and deletes nothing', async () => {
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  const audited = state.audit.count();
  state.close();
  const refused = await daemon.cli(['data', 'erase', '--device', INVESTIGATED, '--reason', 'SAR 2026-15', '--yes']);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/must be kept: the device is under investigation 9 \(incident 4\), whose evidence is its lookups: erase it once the investigation has ended and its evidence is saved on the incident/);
  const after = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  try {
    expect(after.devices.get(INVESTIGATED)).toBeDefined();
    expect(after.audit.count()).toBe(audited);
  } finally {
    after.close();
  }
});
