// `schoolgate audit` and `schoolgate audit verify` against a real daemon: entries listed and
// filtered, every page of a long log, bad input refused, and verify's exit codes on an intact
// chain and on one altered behind the daemon's back.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditListView, AuditVerdict } from '../../../firmware/control/audit-methods.ts';
import { parseSince } from '../../../firmware/cli/since.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { startTestUpstream } from '../../support/upstream.ts';

let daemon: RunningDaemon;
let stopUpstream: () => Promise<void>;
const LOGGED = 600; // past one page (500)

beforeAll(async () => {
  const upstream = await startTestUpstream();
  stopUpstream = upstream.close;
  const config = await testConfig(upstream);
  config.lists = [];
  daemon = await startDaemonProcess(config);
  // Entries as the web UI would record them, beside the daemon (the log is append-only for all writers).
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  for (let i = 0; i < LOGGED; i++) state.audit.append({ actor: 'head', action: 'device.rename', subject: `3c:22:fb:01:00:${(i % 256).toString(16).padStart(2, '0')}`, details: { n: i } });
  state.close();
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

const listed = async (args: string[]): Promise<AuditListView['entries']> => {
  const run = await daemon.cli(['audit', ...args, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as AuditListView).entries;
};

describe('schoolgate audit', () => {
  it('lists every entry, oldest first, across pages', async () => {
    const entries = await listed([]);
    expect(entries[0]).toMatchObject({ seq: 1, actor: 'system', action: 'daemon.start' });
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1));
    expect(entries.filter((e) => e.action === 'device.rename').map((e) => (e.details as { n: number }).n)).toEqual(Array.from({ length: LOGGED }, (_, i) => i));
  });

  it('filters by action (exact or a prefix) and by time', async () => {
    expect((await listed(['--action', 'daemon.start'])).map((e) => e.actor)).toEqual(['system']);
    expect(await listed(['--action', 'device.*'])).toHaveLength(LOGGED);
    expect(await listed(['--since', '1h', '--action', 'device.rename'])).toHaveLength(LOGGED);
    expect(await listed(['--since', '2999-01-01'])).toEqual([]);
  });

  it('filters by who acted (the actor contains the text)', async () => {
    expect(await listed(['--actor', 'head'])).toHaveLength(LOGGED);
    expect((await listed(['--actor', 'syst'])).map((e) => e.action)).toContain('daemon.start');
    expect(await listed(['--actor', 'account:nobody'])).toEqual([]);
  });

  it('prints a table for a person', async () => {
    const run = await daemon.cli(['audit', '--action', 'daemon.start']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/SEQ\s+AT \(UTC\)\s+ACTOR\s+ACTION\s+SUBJECT\s+DETAILS/);
    expect(run.stdout).toMatch(/\n\s+1\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z\s+system\s+daemon\.start\s+-\s+\{"configFile"/);
    expect((await daemon.cli(['audit', '--since', '2999-01-01'])).stdout).toBe('No audit entries match.\n');
  });

  it('refuses what it cannot read, with the usage or the reason', async () => {
    const since = await daemon.cli(['audit', '--since', 'last tuesday']);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since "last tuesday" is not a time');
    const action = await daemon.cli(['audit', '--action', 'DROP TABLE']);
    expect(action.code).toBe(4);
    expect(action.stderr).toContain('invalid audit action filter');
    expect((await daemon.cli(['audit', 'erase'])).code).toBe(2);
    expect((await daemon.cli(['audit', 'verify', '--since', '1d'])).code).toBe(2);
    const help = await daemon.cli(['audit', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('schoolgate audit verify');
  });

  // Last: it alters the log for good.
  it('verify passes an intact chain and names the first altered entry', async () => {
    const intact = await daemon.cli(['audit', 'verify', '--json']);
    expect(intact.code).toBe(0);
    const verdict = JSON.parse(intact.stdout) as AuditVerdict;
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.ok && verdict.entries).toBeGreaterThan(LOGGED);
    expect((await daemon.cli(['audit', 'verify'])).stdout).toContain('The audit log is intact');

    // Someone with the file removes the trigger that refuses edits and rewrites an entry.
    const raw = new DatabaseSync(join(daemon.dataDir, 'state.db'));
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.prepare("UPDATE audit_log SET actor = 'nobody' WHERE seq = 7").run();
    raw.close();
    const broken = await daemon.cli(['audit', 'verify', '--json']);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toEqual({ ok: false, brokenAt: 7, reason: 'entry 7 has been altered (its contents no longer match its hash)' });
    const human = await daemon.cli(['audit', 'verify']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('The audit log has been altered: entry 7 has been altered');
  });
});

describe('--since', () => {
  const now = new Date('2026-12-07T12:00:00.000Z');
  it.each([
    ['7d', '2026-11-30T12:00:00.000Z'],
    ['24h', '2026-12-06T12:00:00.000Z'],
    ['30m', '2026-12-07T11:30:00.000Z'],
    ['2w', '2026-11-23T12:00:00.000Z'],
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T08:00:00Z', '2026-12-01T08:00:00.000Z'],
    ['2026-07-01T09:00+01:00', '2026-07-01T08:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseSince(text, now)).toBe(iso);
  });
  it.each(['', 'yesterday', '7', '7y', '2026-12-01T08:00', '2026-13-45'])('refuses %j', (text) => {
    expect(parseSince(text, now)).toBeUndefined();
  });
});
