// `schoolgate investigations` against a real daemon: the list and one investigation (JSON and on a
// terminal), `schoolgate check --device` explaining the investigation's policy, saving the
// evidence so far, ending it early (audited under ssh:USER) with the DNS filter following at once
// and the entry leaving the configuration; usage errors and an unknown number are clear.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../../firmware/dns/policy/check-name.ts';
import type { Investigation, InvestigationListView } from '../../../firmware/monitor/investigations/investigation-schema.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { launchDaemon, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { startTestUpstream } from '../../support/upstream.ts';

let daemon: RunningDaemon;
let stopUpstream: () => Promise<void>;
let id: number;
const MAC = 'aa:00:00:00:06:01';
const from = new Date(Date.now() - 60_000).toISOString();
const until = new Date(Date.now() + 2 * 86_400_000).toISOString();

beforeAll(async () => {
  const upstream = await startTestUpstream();
  stopUpstream = upstream.close;
  const config = await testConfig(upstream);
  config.policies.push({ id: 'investigation', name: 'Investigation', safeSearch: 'off', blockAnswer: 'block-page', categories: {} });
  const dataDir = await mkdtemp(join(tmpdir(), 'schoolgate-test-'));
  // What change control and the incident log leave behind once an investigation is applied.
  const state = StateDatabase.open(join(dataDir, 'state.db'));
  try {
    const at = new Date(from);
    const incident = state.incidents.open({ source: 'hand', opened: { occurredAt: from, what: 'A concern about a pupil', people: 'Pupil ref 12', reportedBy: 'DSL' } }, 'account:dsl', at).incident;
    const proposal = { kind: 'investigation' as const, incidentId: incident.id, device: MAC, policy: 'investigation', until };
    id = state.changes.create({
      fields: { proposal, rationale: 'a safeguarding concern to look into', riskNote: 'one device, two days; illegal content still blocked' },
      title: 'Investigate', summary: ['x'], needsHead: false, requestedByHead: false,
    }, 'account:osl', at).id;
    state.investigations.record(id, 'started', { incidentId: incident.id, device: MAC, policy: 'investigation', from, until, requestedBy: 'account:osl', approvedBy: ['account:head', 'account:dsl'] }, 'ssh:tess', at);
    state.devices.enrol(MAC, 'pupil', at, { name: 'Y6 iPad 1', groupId: null, schoolOwned: true });
    config.investigations = [{ id, incidentId: incident.id, device: MAC, policy: 'investigation', from, until }];
  } finally {
    state.close();
  }
  const configFile = join(dataDir, 'config.json');
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  daemon = await launchDaemon({ dataDir, configFile, config });
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

describe('schoolgate investigations', () => {
  it('lists and shows, explains it in check, saves the evidence, ends it early; audited', async () => {
    const listed = await daemon.cli(['investigations', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const view = JSON.parse(listed.stdout) as InvestigationListView;
    expect(view.investigations.map((i) => [i.id, i.status, i.device, i.deviceName, i.policyName])).toEqual([[id, 'in-force', MAC, 'Y6 iPad 1', 'Investigation']]);
    const human = (await daemon.cli(['investigations'])).stdout;
    expect(human).toMatch(new RegExp(`${id} +1 +${MAC} "Y6 iPad 1" +investigation .* in force +-`));
    expect(human).toContain('schoolgate investigations end ID');
    expect((await daemon.cli(['investigations', 'show', String(id)])).stdout).toContain('approved   account:head, account:dsl');

    const check = async () => JSON.parse((await daemon.cli(['check', 'facebook.com', '--network', 'pupil', '--device', MAC, '--json'])).stdout) as CheckReport;
    const during = await check();
    expect(during.answer).toBe('allowed');
    expect((await daemon.cli(['check', 'facebook.com', '--network', 'pupil', '--device', MAC])).stdout).toMatch(new RegExp(`under investigation #${id} \\(incident 1\\) until`));

    const saved = await daemon.cli(['investigations', 'save-evidence', String(id)]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toMatch(/^Evidence saved: 0 lookups, SHA-256 [0-9a-f]{64} \(incident 1, attachment \d+\)\.\n$/);

    expect((await daemon.cli(['investigations', 'end'])).stderr).toContain('usage: schoolgate investigations end ID');
    expect((await daemon.cli(['investigations', 'end', 'x'])).stderr).toContain('"x" is not an investigation number');
    const unknown = await daemon.cli(['investigations', 'end', '99']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('there is no investigation 99');
    const ended = await daemon.cli(['investigations', 'end', String(id), '--note', 'enough seen', '--json']);
    expect(ended.code, ended.stderr).toBe(0);
    const result = JSON.parse(ended.stdout) as Investigation;
    expect(result).toMatchObject({ status: 'ended', endedBy: expect.stringMatching(/^ssh:/) });
    expect(result.evidence).toHaveLength(2);
    expect((await check()).answer).toBe('blocked');
    expect((await daemon.cli(['investigations', '--status', 'in-force'])).stdout).toContain('No investigations. One is asked for as a change request from an incident, and approved by two senior accounts, each a headteacher or a DSL.');
    expect((await daemon.cli(['investigations', '--status', 'gone'])).stderr).toContain('--status must be one of in-force, ended, expired');

    const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
    try {
      const entries = [...state.audit.export()].filter((e) => e.action.startsWith('investigation.'));
      // The saving at the end is the technician's who ended it, not the gateway's (that is an expiry's).
      expect(entries.map((e) => [e.action, e.actor.startsWith('ssh:')])).toEqual([['investigation.evidence', true], ['investigation.end', true], ['investigation.evidence', true]]);
      expect(state.audit.verify()).toMatchObject({ ok: true });
    } finally {
      state.close();
    }
  }, 120_000);
});
