// `schoolgate alerts` against a real daemon: questions from a pupil address raise alerts through
// the query log's writer thread, a marker left by a run that did not stop raises a crash restart,
// the CLI lists them and acknowledges one (audited under the caller), a second acknowledgement is
// a clear error, and a clean stop removes the marker.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../firmware/monitor/alerts/alert-schema.ts';
import { RUNNING_MARKER } from '../../../firmware/monitor/crash-marker.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { askUdp, startTestUpstream } from '../../support/upstream.ts';

const PUPIL = '127.20.0.5';
let daemon: RunningDaemon;
let stopUpstream: () => Promise<void>;

beforeAll(async () => {
  const upstream = await startTestUpstream();
  stopUpstream = upstream.close;
  const config = await testConfig(upstream);
  config.lists = [];
  config.alerts = { contacts: [{ name: 'Dee Ess-Ell', role: 'dsl', email: 'dsl@school.example' }], watch: ['watched.example'] };
  daemon = await startDaemonProcess(config, { [RUNNING_MARKER]: '{"startedAt":"2026-12-06T08:00:00.000Z","pid":1}\n' });
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

async function openAlerts(): Promise<Alert[]> {
  const result = await daemon.cli(['alerts', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { alerts: Alert[] }).alerts;
}

describe('schoolgate alerts', () => {
  it('lists what the DNS questions and the unclean last stop raised, and acknowledges one once', async () => {
    const server = daemon.config.dns.listen[0]!;
    await askUdp(server, 'use-application-dns.net', { from: PUPIL });
    await askUdp(server, 'how-to-k1ll-myself.example', { from: PUPIL });
    await askUdp(server, 'www.watched.example', { from: PUPIL });
    await askUdp(server, 'www.bbc.co.uk', { from: PUPIL });
    // The writer thread stores each 50 ms batch and hands its candidates over: wait for them.
    let alerts: Alert[] = [];
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      alerts = await openAlerts();
      if (alerts.length >= 4) break;
    }
    expect(alerts.map((a) => [a.kind, a.severity, a.subject]).sort()).toEqual([
      ['dns.bypass', 'high', 'use-application-dns.net'],
      ['dns.keyword', 'critical', 'how-to-k1ll-myself.example'],
      ['dns.watch', 'medium', 'www.watched.example'],
      ['system.crash-restart', 'high', 'the run started 2026-12-06T08:00:00.000Z'],
    ]);
    const keyword = alerts.find((a) => a.kind === 'dns.keyword')!;
    expect(keyword).toMatchObject({ networkId: 'pupil', address: PUPIL, mac: null, count: 1, status: 'open', escalationLevel: 0, notifiedAt: null });

    const status = JSON.parse((await daemon.cli(['status', '--json'])).stdout) as { alerts: unknown };
    expect(status.alerts).toMatchObject({ open: { critical: 1, high: 2, medium: 1, low: 0 }, delivery: false, refused: 0 });
    expect((await daemon.cli(['status'])).stdout).toContain('alerts    1 critical, 2 high, 1 medium, 0 low open (schoolgate alerts); stored only: no e-mail or webhook delivery');

    const human = await daemon.cli(['alerts']);
    expect(human.stdout).toContain(`#${keyword.id}  CRITICAL  dns.keyword`);
    expect(human.stdout).toContain(`network pupil, device ${PUPIL}`);
    expect(human.stdout).toContain('looked up / seen: how-to-k1ll-myself.example');
    expect(human.stdout).toContain('4 alerts.');

    const ack = await daemon.cli(['alerts', 'ack', String(keyword.id), '--note', 'spoke to the pupil with the class teacher']);
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stdout).toContain(`Alert #${keyword.id} (dns.keyword) acknowledged by ssh:`);
    const again = await daemon.cli(['alerts', 'ack', String(keyword.id), '--note', 'again']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`alert ${keyword.id} was already acknowledged by ssh:`);

    expect((await openAlerts()).map((a) => a.kind)).not.toContain('dns.keyword');
    const critical = await daemon.cli(['alerts', '--all', '--severity', 'critical', '--since', '1d', '--json']);
    expect((JSON.parse(critical.stdout) as { alerts: Alert[] }).alerts.map((a) => [a.id, a.status, a.note])).toEqual([[keyword.id, 'acknowledged', 'spoke to the pupil with the class teacher']]);
    const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
    try {
      expect(state.audit.list({ action: 'alert.*' }).map((e) => [e.action, e.subject, e.actor.startsWith('ssh:')])).toEqual([['alert.acknowledge', `alert ${keyword.id}`, true]]);
    } finally {
      state.close();
    }
  }, 30_000);

  it('takes a new watch list and keywords at a configuration reload, and refuses a keyword list that is not shipped', async () => {
    const server = daemon.config.dns.listen[0]!;
    const write = (alerts: object) => writeFile(daemon.configFile, `${JSON.stringify({ ...daemon.config, alerts }, null, 2)}\n`);
    await write({ ...daemon.config.alerts, keywords: { lists: ['gambling'] } });
    const refused = await daemon.cli(['config', 'reload']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('there is no shipped keyword list "gambling"');
    await write({ ...daemon.config.alerts, watch: ['second.example'], keywords: { extra: ['zebracorn'] } });
    expect((await daemon.cli(['config', 'reload'])).code).toBe(0);
    await askUdp(server, 'www.second.example', { from: PUPIL });
    await askUdp(server, 'zebra-c0rn.example', { from: PUPIL });
    // The watched visit joins the device's open watch alert (its burst): its subjects name it.
    const subjects = (alerts: Alert[]): unknown[] => alerts.flatMap((a) => [a.subject, ...(a.details.subjects as unknown[] | undefined ?? [])]);
    let seen: unknown[] = [];
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      seen = subjects(await openAlerts());
      if (seen.includes('www.second.example') && seen.includes('zebra-c0rn.example')) break;
    }
    const watch = (await openAlerts()).find((a) => a.kind === 'dns.watch')!;
    expect(watch).toMatchObject({ subject: 'www.watched.example', count: 2, details: { subjects: ['www.watched.example', 'www.second.example'] } });
    expect((await daemon.cli(['alerts'])).stdout).toContain('also: www.second.example');
    expect((await openAlerts()).find((a) => a.subject === 'zebra-c0rn.example')).toMatchObject({ kind: 'dns.keyword', severity: 'high', details: { list: 'school' } });
  }, 30_000);

  it('refuses bad usage with exit 2', async () => {
    expect((await daemon.cli(['alerts', 'ack', '5'])).code).toBe(2);
    expect((await daemon.cli(['alerts', 'ack', 'five', '--note', 'x'])).code).toBe(2);
    expect((await daemon.cli(['alerts', '--severity', 'urgent'])).code).toBe(2);
    expect((await daemon.cli(['alerts', '--since', 'yesterday'])).code).toBe(2);
    expect((await daemon.cli(['alerts', 'close', '5'])).code).toBe(2);
  });

  it('removes the running marker at a clean stop', async () => {
    expect(existsSync(join(daemon.dataDir, RUNNING_MARKER))).toBe(true);
    expect(await daemon.stop()).toBe(0);
    expect(existsSync(join(daemon.dataDir, RUNNING_MARKER))).toBe(false);
  });
});
