// An investigation from request to evidence, through the real pieces: change control (asked for
// by an account that reviews monitoring, approved by two senior accounts, applied by the gateway
// on the second approval), the configuration store, state.db, the incident log's attachment store and a real
// logs.db through its writer thread. The evidence is every lookup the device made in the window,
// and nothing else; ending early and expiring both save it and take the entry out of the
// configuration; retention leaves the window's rows until then.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../../../firmware/admin/roles.ts';
import { CATALOGUE, defaultConfig } from '../../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../../firmware/config/store.ts';
import { ChangeService } from '../../../../firmware/control/changes/change-service.ts';
import type { ChangeListView, ChangeRequest } from '../../../../firmware/control/changes/change-schema.ts';
import { registerChangeMethods } from '../../../../firmware/control/changes/change-methods.ts';
import type { ControlCaller } from '../../../../firmware/control/protocol.ts';
import { ControlServer } from '../../../../firmware/control/server.ts';
import { EventBuffer, type QueryEvent } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { AttachmentStore } from '../../../../firmware/monitor/incidents/attachment-store.ts';
import { IncidentService } from '../../../../firmware/monitor/incidents/incident-service.ts';
import { registerInvestigationMethods } from '../../../../firmware/monitor/investigations/investigation-methods.ts';
import { approvedInvestigations, keepWindows, signOffBlock } from '../../../../firmware/monitor/investigations/investigation-rules.ts';
import type { Investigation, InvestigationListView } from '../../../../firmware/monitor/investigations/investigation-schema.ts';
import { InvestigationService, type InvestigationEvent } from '../../../../firmware/monitor/investigations/investigation-service.ts';
import { QueryLog } from '../../../../firmware/monitor/query-log/query-log.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';
import { controlCallers } from '../../../support/control-callers.ts';

const START = Date.UTC(2026, 11, 7, 10, 0);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const MAC = 'aa:00:00:00:06:01';
const OTHER = 'aa:00:00:00:06:02';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'schoolgate-investigations-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  let now = START;
  const clock = () => new Date(now);
  const state = StateDatabase.open(':memory:', { now: clock });
  cleanups.push(() => state.close());
  const config = await ConfigStore.open(join(dir, 'config.json'), {
    createWith: () => {
      const c = defaultConfig();
      c.policies.push({ id: 'investigation', name: 'Investigation', safeSearch: 'off', blockAnswer: 'block-page', categories: {} });
      return c;
    },
  });
  const people: [string, Role[]][] = [['head', ['headteacher']], ['dsl', ['dsl']], ['osl', ['online-safety-lead']], ['sam', ['staff']], ['tech', ['technician']]];
  for (const [username, roles] of people) {
    state.accounts.insert({ username, displayName: username, email: null, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles, createdAt: new Date(START).toISOString() });
  }
  state.devices.enrol(MAC, 'pupil', new Date(START - DAY), { name: 'Y6 iPad 1', groupId: null, schoolOwned: true });
  const events = new EventBuffer(1000);
  const queryLog = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 60_000 });
  cleanups.push(() => queryLog.close());
  const attachments = new AttachmentStore(dir);
  const incidents = new IncidentService({
    incidents: state.incidents, alerts: state.alerts, reports: state.siteReports, attachments, audit: state.audit,
    transaction: (fn) => state.transaction(fn), now: clock, site: () => ({ name: 'Test Primary', timezone: 'Europe/London' }),
    signOffBlockedBy: (id) => signOffBlock(config.current, id, approvedInvestigations(state.changes.all().map((c) => c.change))),
  });
  const told: [InvestigationEvent, number][] = [];
  const investigations = new InvestigationService({
    store: state.investigations, config, incidents: state.incidents, attachments, queryLog, audit: state.audit, accounts: state.accounts,
    deviceName: (mac) => state.devices.get(mac)?.name || null, transaction: (fn) => state.transaction(fn), now: clock,
    notify: async (event, inv) => { told.push([event, inv.id]); },
  });
  /**
   * Runs as soon as the apply's edit (with its check that the incident is open) has returned and
   * the store begins writing the file: the window a sign-off could race, before the start is recorded.
   */
  const hooks: { whileWriting?: () => void } = {};
  const changeConfig = {
    get current() { return config.current; },
    update: (change: Parameters<ConfigStore['update']>[0], written?: Parameters<ConfigStore['update']>[1]) => config.update((draft) => {
      const result = change(draft);
      const hook = hooks.whileWriting;
      if (hook) queueMicrotask(hook);
      return result;
    }, written),
  };
  const changes = new ChangeService({
    changes: state.changes, config: changeConfig, audit: state.audit, accounts: state.accounts, transaction: (fn) => state.transaction(fn), now: clock,
    categoryTitle: (id) => CATALOGUE.categories.get(id)?.title, investigations,
  });
  const control = new ControlServer(silentLogger());
  registerChangeMethods(control, changes);
  registerInvestigationMethods(control, investigations);
  const { as, ssh, call, failure } = controlCallers(control);
  const incident = incidents.openByHand('account:dsl', { what: 'A pupil is thought to be searching for how to hurt themselves', people: 'Pupil ref 4471' });
  const event = (at: number, device: string | undefined, extra: Partial<QueryEvent> = {}): QueryEvent => ({
    at, network: 'pupil', client: '10.20.0.7', ...(device ? { device } : {}), transport: 'udp', name: `site-${at}.example`, qtype: 1, verdict: 'forwarded', rcode: 0, latencyMs: 1, ...extra,
  });
  const fields = (extra: Record<string, unknown> = {}) => ({
    proposal: { kind: 'investigation', incidentId: incident.id, device: MAC, policy: 'investigation', until: new Date(now + 3 * DAY).toISOString(), ...extra },
    rationale: 'A safeguarding concern about this pupil needs what the device reaches recorded',
    riskNote: 'One device, three days, illegal-content lists still block; the DSL watches the evidence',
  });
  /** Asked by the OSL, approved by the head and the DSL, applied by the gateway on that second approval. */
  const start = async (extra: Record<string, unknown> = {}): Promise<number> => {
    const asked = await call<ChangeRequest>('changes.request', fields(extra), as('osl'));
    await call('changes.approve', { id: asked.id }, as('head'));
    const applied = await call<ChangeRequest>('changes.approve', { id: asked.id }, as('dsl'));
    expect(applied.status).toBe('applied');
    return asked.id;
  };
  return {
    state, config, queryLog, events, incidents, investigations, incident, told, call, failure, as, ssh, fields, start, event, dir, hooks,
    tick: (ms: number) => { now += ms; }, now: () => now,
  };
}

describe('asking for an investigation', () => {
  it('is for accounts that review monitoring, for an open incident, a policy that exists, at most 14 days and within the query log retention', async () => {
    const t = await setup();
    expect((await t.failure('changes.request', t.fields(), t.as('sam'))).code).toBe('forbidden');
    expect((await t.failure('changes.request', t.fields(), t.ssh)).code).toBe('forbidden');
    expect((await t.failure('changes.request', t.fields({ incidentId: 99 }), t.as('osl'))).message).toMatch(/there is no incident 99/);
    expect((await t.failure('changes.request', t.fields({ policy: 'nope' }), t.as('osl'))).message).toMatch(/there is no policy "nope"/);
    expect((await t.failure('changes.request', t.fields({ until: new Date(t.now() - MIN).toISOString() }), t.as('osl'))).message).toMatch(/already passed/);
    expect((await t.failure('changes.request', t.fields({ until: new Date(t.now() + 15 * DAY).toISOString() }), t.as('osl'))).message).toMatch(/at most 14 days/);
    await t.config.update((d) => { d.retention.queryEventsDays = 7; });
    expect((await t.failure('changes.request', t.fields({ until: new Date(t.now() + 8 * DAY).toISOString() }), t.as('osl'))).message).toMatch(/at most 7 days \(the query log's retention/);
    const asked = await t.call<ChangeRequest>('changes.request', t.fields(), t.as('head'));
    expect(asked.summary.join('\n')).toContain('illegal-content lists still block');
    expect(asked.needsHead).toBe(false);
  });

  it('needs two senior approvers (headteacher, DSL), neither the requester', async () => {
    const t = await setup();
    const asked = await t.call<ChangeRequest>('changes.request', t.fields(), t.as('dsl'));
    expect((await t.failure('changes.approve', { id: asked.id }, t.as('dsl'))).message).toMatch(/no one approves their own request/);
    expect((await t.failure('changes.approve', { id: asked.id }, t.as('osl'))).message).toMatch(/two senior accounts/);
    await t.call('changes.approve', { id: asked.id }, t.as('head'));
    const ssh = await t.failure('changes.approve', { id: asked.id }, t.ssh);
    expect(ssh.code).toBe('forbidden');
    expect((await t.failure('changes.approve', { id: asked.id }, t.as('head'))).message).toMatch(/already approved/);
    // A second senior account: a deputy DSL.
    t.state.accounts.insert({ username: 'ddsl', displayName: 'ddsl', email: null, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles: ['dsl'], createdAt: new Date(START).toISOString() });
    const applied = await t.call<ChangeRequest>('changes.approve', { id: asked.id }, t.as('ddsl'));
    // Applied on that approval by the gateway itself: no IT-provider step.
    expect(applied.status).toBe('applied');
    expect(applied.steps.map((s) => [s.kind, s.by, s.note])).toEqual([
      ['approved', 'account:head', null], ['approved', 'account:ddsl', null], ['applied', 'system', 'applied on approval'],
    ]);
    expect(t.config.current.investigations?.map((i) => i.id)).toEqual([asked.id]);
    expect(t.state.audit.list({ action: 'change.apply' }).map((e) => e.actor)).toEqual(['system']);
  });

  it('refuses a closed incident at the request and when applying; a failed apply is retried by safeguarding staff, never the IT provider', async () => {
    const t = await setup();
    const asked = await t.call<ChangeRequest>('changes.request', t.fields(), t.as('osl'));
    await t.call('changes.approve', { id: asked.id }, t.as('head'));
    t.incidents.outcome(t.incident.id, 'account:dsl', 'no-substance');
    t.incidents.signOff(t.incident.id, 'account:head');
    // The approval stands; applying it fails, recorded as the gateway's apply-failed step.
    const approved = await t.call<ChangeRequest>('changes.approve', { id: asked.id }, t.as('dsl'));
    expect(approved.status).toBe('approved');
    expect(approved.steps.at(-1)).toMatchObject({ kind: 'apply-failed', by: 'system' });
    expect(approved.steps.at(-1)!.note).toMatch(/has been signed off since/);
    expect(t.config.current.investigations ?? []).toEqual([]);
    expect((await t.failure('changes.apply', { id: asked.id }, t.as('tech'))).message).toMatch(/the headteacher, the DSL or the online safety lead tries again/);
    expect((await t.failure('changes.apply', { id: asked.id }, t.ssh)).code).toBe('forbidden');
    expect((await t.failure('changes.upstream', { id: asked.id, reference: 'REF-1' }, t.as('tech'))).message).toMatch(/never sent to the filtering provider/);
    const retried = await t.failure('changes.apply', { id: asked.id }, t.as('osl'));
    expect(retried.code).toBe('change-state');
    expect(retried.message).toMatch(/has been signed off since/);
    expect(t.state.changes.get(asked.id).steps.filter((s) => s.kind === 'apply-failed').map((s) => s.by)).toEqual(['system', 'account:osl']);
    expect((await t.failure('changes.request', t.fields(), t.as('osl'))).message).toMatch(/is closed/);
  });

  it('a retry by a senior account applies one whose apply on approval failed', async () => {
    const t = await setup();
    const asked = await t.call<ChangeRequest>('changes.request', t.fields(), t.as('osl'));
    await t.call('changes.approve', { id: asked.id }, t.as('head'));
    // The device is put under another investigation meanwhile (a hand edit): this one cannot start.
    await t.config.update((d) => { d.investigations = [{ id: 99, incidentId: t.incident.id, device: MAC, policy: 'investigation', from: new Date(START).toISOString(), until: new Date(START + DAY).toISOString() }]; });
    expect((await t.call<ChangeRequest>('changes.approve', { id: asked.id }, t.as('dsl'))).steps.at(-1)!.note).toMatch(/already under investigation/);
    await t.config.update((d) => { d.investigations = []; });
    const applied = await t.call<ChangeRequest>('changes.apply', { id: asked.id }, t.as('head'));
    expect(applied.status).toBe('applied');
    expect(applied.steps.at(-1)).toMatchObject({ kind: 'applied', by: 'account:head', note: null });
    expect(t.state.investigations.events(asked.id).map((e) => [e.kind, e.by])).toEqual([['started', 'account:head']]);
  });

  it('a sign-off while an approved investigation is being applied is refused, so it never starts on a closed incident', async () => {
    const t = await setup();
    t.incidents.outcome(t.incident.id, 'account:dsl', 'internal-action');
    const asked = await t.call<ChangeRequest>('changes.request', t.fields(), t.as('osl'));
    await t.call('changes.approve', { id: asked.id }, t.as('head'));
    let raced: unknown;
    let inForce: unknown;
    t.hooks.whileWriting = () => {
      // The apply has found the incident open; the configuration is being written, the start not recorded yet.
      inForce = t.config.current.investigations ?? [];
      try { t.incidents.signOff(t.incident.id, 'account:head'); } catch (error) { raced = error; }
    };
    const applied = await t.call<ChangeRequest>('changes.approve', { id: asked.id }, t.as('dsl'));
    expect(inForce).toEqual([]);
    expect(String(raced)).toMatch(new RegExp(`investigation request ${asked.id} on this incident is approved and not yet applied`));
    expect(applied.status).toBe('applied');
    expect(t.state.incidents.get(t.incident.id).status).toBe('open');
    expect(t.state.investigations.events(asked.id).map((e) => e.kind)).toEqual(['started']);
  });
});

describe('need to know', () => {
  it('over SSH and to the technician: one line in the list, the request refused, the audit log without its rationale, risk note or notes', async () => {
    const t = await setup();
    const asked = await t.call<ChangeRequest>('changes.request', t.fields(), t.as('osl'));
    await t.call('changes.approve', { id: asked.id, note: 'Agreed: the pupil spoke to me about this on Friday' }, t.as('head'));
    const line = async (caller: ControlCaller) => (await t.call<ChangeListView>('changes', {}, caller)).changes.find((c) => c.id === asked.id);
    for (const caller of [t.ssh, t.as('tech')]) {
      expect(await line(caller)).toMatchObject({ id: asked.id, status: 'awaiting-approval', title: `Investigation request ${asked.id} (details for safeguarding staff only)` });
      expect(JSON.stringify(await line(caller))).not.toMatch(/Y6 iPad|aa:00:00:00:06:01|incident/i);
      const refused = await t.failure('changes.show', { id: asked.id }, caller);
      expect(refused.code).toBe('forbidden');
      expect(refused.message).toMatch(/details are for safeguarding staff only/);
    }
    expect(await line(t.as('sam'))).toBeUndefined();
    expect((await line(t.as('head')))?.title).toMatch(/^Investigate aa:00:00:00:06:01 /);
    expect((await t.call<ChangeRequest>('changes.show', { id: asked.id }, t.as('osl'))).rationale).toBe(t.fields().rationale);
    await t.call('changes.approve', { id: asked.id }, t.as('dsl'));
    const entries = [...t.state.audit.export()].filter((e) => e.subject === `change ${asked.id}`);
    expect(entries.map((e) => e.action)).toEqual(['change.request', 'change.approve', 'change.approve', 'change.apply']);
    const text = JSON.stringify(entries);
    for (const secret of [t.fields().rationale, t.fields().riskNote, 'spoke to me']) expect(text).not.toContain(secret);
    expect((entries[1]!.details as Record<string, unknown>).note).toBe('(kept with the request)');
  });
});

describe('an investigation in force', () => {
  it('is in the configuration and the record, on the incident, told to the DSL; the incident cannot be signed off meanwhile', async () => {
    const t = await setup();
    const id = await t.start();
    expect(t.config.current.investigations).toEqual([{ id, incidentId: t.incident.id, device: MAC, policy: 'investigation', from: new Date(START).toISOString(), until: new Date(START + 3 * DAY).toISOString() }]);
    const view = await t.call<Investigation>('investigations.show', { id }, t.as('osl'));
    expect(view).toMatchObject({ id, status: 'in-force', deviceName: 'Y6 iPad 1', policyName: 'Investigation', requestedBy: 'account:osl', approvedBy: ['account:head', 'account:dsl'], evidence: [], endedAt: null });
    const action = t.state.incidents.get(t.incident.id).actions.at(-1)!;
    expect(action.what).toMatch(/^Investigation \d+ started: device Y6 iPad 1 \(aa:00:00:00:06:01\) is filtered by the Investigation policy until Thursday 10 December 2026 at 10:00.*Approved by account:head and account:dsl\.$/);
    await new Promise((r) => setImmediate(r));
    expect(t.told).toEqual([['started', id]]);
    t.incidents.outcome(t.incident.id, 'account:dsl', 'internal-action');
    expect(() => t.incidents.signOff(t.incident.id, 'account:head')).toThrow(/investigation \d+ on this incident is still running/);
    expect((await t.failure('investigations', {}, t.as('sam'))).code).toBe('forbidden');
    expect((await t.call<InvestigationListView>('investigations', { incidentId: t.incident.id }, t.ssh)).investigations.map((i) => i.id)).toEqual([id]);
    expect((await t.call<InvestigationListView>('investigations', { incidentId: t.incident.id + 1 }, t.as('head'))).investigations).toEqual([]);
  });

  it('saves the evidence so far: the device\'s lookups in the window only, restricted names withheld, with the CSV\'s hash on the incident', async () => {
    const t = await setup();
    t.events.push(t.event(START - MIN, MAC, { name: 'before.example' }));
    const id = await t.start();
    t.events.push(t.event(START + MIN, MAC, { name: 'first.example' }));
    t.events.push(t.event(START + 2 * MIN, OTHER, { name: 'someone-else.example' }));
    t.events.push(t.event(START + 3 * MIN, undefined, { name: 'unnamed-client.example' }));
    t.events.push(t.event(START + 2 * 60 * MIN, MAC, { name: '(restricted)', verdict: 'blocked', category: 'restricted', list: 'iwf' }));
    t.events.push(t.event(START + 3 * 60 * MIN, MAC, { name: '=cmd|calc', verdict: 'blocked', category: 'social' }));
    t.queryLog.flush();
    t.tick(4 * 60 * MIN);
    expect((await t.failure('investigations.save-evidence', { id }, t.as('osl'))).code).toBe('forbidden');
    const saved = await t.call<Investigation>('investigations.save-evidence', { id }, t.as('dsl'));
    expect(saved.status).toBe('in-force');
    expect(saved.evidence).toHaveLength(1);
    const evidence = saved.evidence[0]!;
    expect(evidence).toMatchObject({ lookups: 3, upTo: new Date(START + 4 * 60 * MIN).toISOString() });
    const incident = t.state.incidents.get(t.incident.id);
    const attachment = incident.attachments.find((a) => a.entry === evidence.attachmentId)!;
    expect(attachment).toMatchObject({ mediaType: 'text/csv', sha256: evidence.sha256, by: 'account:dsl' });
    expect(attachment.description).toContain(`Evidence saved for investigation ${id}: 3 lookups by device Y6 iPad 1`);
    const csv = readFileSync(join(t.dir, 'incidents', 'attachments', `${evidence.sha256}.csv`));
    expect(createHash('sha256').update(csv).digest('hex')).toBe(evidence.sha256);
    const lines = csv.toString('utf8').trim().split('\r\n');
    expect(lines[0]).toBe('time (UTC),network,address,name,qtype,verdict,category,list,watched');
    expect(lines.slice(1).map((l) => l.split(',')[3])).toEqual(['first.example', '(restricted)', "'=cmd|calc"]);
    expect([...t.state.audit.export()].filter((e) => e.action === 'investigation.evidence').map((e) => e.actor)).toEqual(['account:dsl']);
    // The technician over SSH may save it too.
    const again = await t.call<Investigation>('investigations.save-evidence', { id }, t.ssh);
    expect(again.evidence.map((e) => e.sha256)).toEqual([evidence.sha256, evidence.sha256]);
  });
});

describe('ending', () => {
  it('early by a senior account: the entry ends at once, the evidence is saved, the entry leaves the configuration; audited and told', async () => {
    const t = await setup();
    const id = await t.start();
    t.events.push(t.event(START + MIN, MAC, { name: 'first.example' }));
    // A lookup after the end (a clock the log got from elsewhere) is not evidence of the investigation.
    t.events.push(t.event(START + 61 * MIN, MAC, { name: 'after.example' }));
    t.queryLog.flush();
    t.tick(60 * MIN);
    expect((await t.failure('investigations.end', { id }, t.as('osl'))).code).toBe('forbidden');
    const ended = await t.call<Investigation>('investigations.end', { id, note: 'enough seen' }, t.as('head'));
    expect(ended).toMatchObject({ status: 'ended', endedBy: 'account:head', endedAt: new Date(START + 60 * MIN).toISOString() });
    expect(ended.evidence).toHaveLength(1);
    // Saved by the person who ended it, on the record, the incident's attachment and the audit log alike.
    expect(ended.evidence[0]).toMatchObject({ lookups: 1, upTo: new Date(START + 60 * MIN).toISOString(), by: 'account:head' });
    expect(t.state.incidents.get(t.incident.id).attachments.at(-1)!.by).toBe('account:head');
    expect([...t.state.audit.export()].filter((e) => e.action === 'investigation.evidence').map((e) => e.actor)).toEqual(['account:head']);
    expect(t.config.current.investigations).toEqual([]);
    expect([...t.state.audit.export()].filter((e) => e.action === 'investigation.end').map((e) => [e.actor, (e.details as { note?: string }).note])).toEqual([['account:head', 'enough seen']]);
    expect(t.state.incidents.get(t.incident.id).actions.at(-1)!.what).toMatch(/ended early by account:head.*Note: enough seen/);
    expect((await t.failure('investigations.end', { id }, t.as('dsl'))).message).toMatch(/already been ended \(by account:head\)/);
    // Its evidence was saved as it ended: a later saving (after retention may have taken rows) is refused.
    expect((await t.failure('investigations.save-evidence', { id }, t.as('dsl'))).message).toMatch(new RegExp(`has ended; its evidence was saved as incident ${t.incident.id}'s attachment \\d+`));
    await new Promise((r) => setImmediate(r));
    expect(t.told).toEqual([['started', id], ['ended', id]]);
    // The incident may be signed off now.
    t.incidents.outcome(t.incident.id, 'account:dsl', 'internal-action');
    expect(t.incidents.signOff(t.incident.id, 'account:head').status).toBe('closed');
  });

  it('by a technician over SSH', async () => {
    const t = await setup();
    const id = await t.start();
    const ended = await t.call<Investigation>('investigations.end', { id }, t.ssh);
    expect(ended).toMatchObject({ status: 'ended', endedBy: 'ssh:tess' });
  });

  it('at its expiry: the sweep records it, saves the evidence once and prunes the entry', async () => {
    const t = await setup();
    const id = await t.start({ until: new Date(START + DAY).toISOString() });
    t.events.push(t.event(START + 5 * MIN, MAC, { name: 'in.example' }));
    t.queryLog.flush();
    expect(await t.investigations.sweep()).toBe(0);
    t.tick(DAY + MIN);
    expect(await t.investigations.sweep()).toBe(1);
    expect(await t.investigations.sweep()).toBe(0);
    const view = await t.call<Investigation>('investigations.show', { id }, t.as('dsl'));
    expect(view).toMatchObject({ status: 'expired', endedBy: 'system' });
    expect(view.evidence).toHaveLength(1);
    expect(view.evidence[0]).toMatchObject({ lookups: 1, upTo: new Date(START + DAY).toISOString(), by: 'system' });
    expect(t.config.current.investigations).toEqual([]);
    expect([...t.state.audit.export()].filter((e) => e.action === 'investigation.expire')).toHaveLength(1);
  });

  it('a failed saving leaves the entry for the next sweep', async () => {
    const t = await setup();
    await t.start({ until: new Date(START + DAY).toISOString() });
    t.tick(DAY + MIN);
    await t.queryLog.close();
    expect(await t.investigations.sweep()).toBe(0);
    expect(t.config.current.investigations).toHaveLength(1);
  });

  it('ending early when the evidence cannot be read yet still ends it, the entry kept for the sweep', async () => {
    const t = await setup();
    const id = await t.start();
    t.tick(MIN);
    await t.queryLog.close();
    const ended = await t.call<Investigation>('investigations.end', { id }, t.as('head'));
    expect(ended).toMatchObject({ status: 'ended', evidence: [] });
    expect(t.config.current.investigations).toEqual([expect.objectContaining({ id, until: new Date(START + MIN).toISOString() })]);
  });
});

describe('retention while an investigation runs', () => {
  it("keeps the investigated device's rows in the window past their time, and nothing else", async () => {
    const t = await setup();
    const id = await t.start();
    t.events.push(t.event(START + MIN, MAC, { name: 'evidence.example' }));
    t.events.push(t.event(START + MIN, OTHER, { name: 'other.example' }));
    t.events.push(t.event(START + MIN, undefined, { name: 'unnamed.example' }));
    t.events.push(t.event(START - MIN, MAC, { name: 'before.example' }));
    t.queryLog.flush();
    // The retention setting shortened to nothing: every row is past its time.
    const purged = await t.queryLog.purgeBefore(new Date(START + DAY), keepWindows(t.config.current));
    expect(purged).toBe(3);
    expect((await t.queryLog.deviceWindow(MAC, START - DAY, START + DAY)).map((e) => e.name)).toEqual(['evidence.example']);
    // Once the evidence is saved and the entry gone, the rows go at the next purge.
    await t.call('investigations.end', { id }, t.as('dsl'));
    expect(keepWindows(t.config.current)).toEqual([]);
    expect(await t.queryLog.purgeBefore(new Date(START + DAY), keepWindows(t.config.current))).toBe(1);
  });
});
