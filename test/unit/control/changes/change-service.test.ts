// Change control end to end, through the control methods as the CLI and the pages call them, on a
// real state.db (in memory) and a real configuration file: a member of staff asks, the online
// safety lead and the head approve, the IT provider applies it, and the DNS policy engine lets the
// name through on that network only; a page's edit gone stale is refused with nothing changed; a
// decline is final; SSH never approves; each person is told by e-mail; every step is in the
// audit log, whose chain verifies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../../../firmware/admin/roles.ts';
import type { AlertContact } from '../../../../firmware/config/alerts-schema.ts';
import { CATALOGUE, defaultConfig } from '../../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../../firmware/config/store.ts';
import { registerChangeMethods } from '../../../../firmware/control/changes/change-methods.ts';
import { ChangeNotifier } from '../../../../firmware/control/changes/change-notifier.ts';
import type { ChangeListView, ChangeRequest, ExceptionListView } from '../../../../firmware/control/changes/change-schema.ts';
import { ChangeService } from '../../../../firmware/control/changes/change-service.ts';
import { deviceNames } from '../../../../firmware/control/changes/wiring.ts';
import { ControlServer } from '../../../../firmware/control/server.ts';
import { Decision } from '../../../../firmware/dns/policy/decision.ts';
import { PolicyEngine } from '../../../../firmware/dns/policy/engine.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import type { EmailMessage } from '../../../../firmware/monitor/alerts/delivery/message.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';
import { controlCallers } from '../../../support/control-callers.ts';

const START = Date.UTC(2026, 11, 7, 9, 0);
const dirs: string[] = [];
let state: StateDatabase | undefined;
afterEach(() => {
  state?.close();
  state = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Sent { to: string[]; messages: EmailMessage[] }

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'schoolgate-changes-'));
  dirs.push(dir);
  let now = START;
  const clock = () => new Date(now);
  state = StateDatabase.open(':memory:', { now: clock });
  const db = state;
  const config = await ConfigStore.open(join(dir, 'config.json'), { createWith: defaultConfig });
  const people: [string, string, Role[], string | null][] = [
    ['sam', 'Sam Teacher', ['staff'], 'sam@school.example'],
    ['osl', 'Olu Sule', ['online-safety-lead'], 'osl@school.example'],
    ['dsl', 'Dee Ess', ['dsl'], 'dsl@school.example'],
    ['head', 'Alex Head', ['headteacher'], 'head@school.example'],
    ['tech', 'Tess Tech', ['technician'], 'it@provider.example'],
    ['gov', 'Gil Governor', ['governor'], null],
  ];
  for (const [username, displayName, roles, email] of people) {
    db.accounts.insert({ username, displayName, email, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles, createdAt: new Date(START).toISOString() });
  }
  // The mailer the weekly review uses is the seam: what it is handed is what would be sent.
  const sent: Sent[] = [];
  const mailer = {
    sendMessage: async (recipients: readonly AlertContact[], message: (c: AlertContact) => EmailMessage) => {
      sent.push({ to: recipients.map((r) => r.email!), messages: recipients.map(message) });
      return recipients.map((r) => ({ channel: 'email' as const, to: r.name, ok: true }));
    },
  };
  const notifier = new ChangeNotifier({ mailer, accounts: () => db.accounts.list(), config: () => config.current, logger: silentLogger() });
  const notices: Promise<unknown>[] = [];
  const due: string[] = [];
  const service = new ChangeService({
    changes: db.changes, config, audit: db.audit, accounts: db.accounts, transaction: (fn) => db.transaction(fn), now: clock,
    categoryTitle: (id) => CATALOGUE.categories.get(id)?.title, deviceName: deviceNames(db.devices),
    notify: (n) => { const p = notifier.notify(n); notices.push(p); return p; },
    reviewDue: (_reason, detail) => { due.push(detail); },
  });
  const control = new ControlServer(silentLogger());
  registerChangeMethods(control, service);
  const { as, ssh, call, failure } = controlCallers(control);
  const settle = async () => { await Promise.all(notices.splice(0)); };
  return { db, config, service, call, failure, as, ssh, sent, settle, due, tick: (minutes: number) => { now += minutes * 60_000; } };
}

const BITS: Record<string, number> = { chat: 0, social: 1 };
function decide(config: ConfigStore, network: string, name: string, category: string, mac?: string) {
  const engine = PolicyEngine.build(config.current, (id) => BITS[id]);
  return engine.decide({ networkId: network, mac, name, blockLo: 1 << BITS[category]!, blockHi: 0, allowed: false, restricted: false }, START + 60 * 60_000, new Decision()).toRecord();
}

describe('change control end to end', () => {
  it('asks, approves twice with the head, applies; the engine lets the name through on that network only; everyone told; all audited', async () => {
    const t = await setup();
    expect(decide(t.config, 'pupil', 'penpals.example', 'chat')).toMatchObject({ action: 'block', reason: 'category', category: 'chat' });

    const asked = await t.call<ChangeRequest>('changes.request', {
      proposal: { kind: 'exception', domain: 'penpals.example', action: 'allow', networks: ['pupil'], expires: '2026-12-19T23:59:00.000Z' },
      rationale: 'Year 5 letter exchange with a partner school', riskNote: 'pen pals are moderated by both schools; two weeks only',
    }, t.as('sam'));
    expect(asked).toMatchObject({ id: 1, status: 'awaiting-approval', needsHead: true, requestedBy: 'account:sam' });
    expect(asked.summary[0]).toBe('Allow penpals.example (and every name under it) on Pupils');
    await t.settle();
    expect(t.sent.at(-1)!.to.sort()).toEqual(['dsl@school.example', 'head@school.example', 'osl@school.example']);
    const mail = t.sent.at(-1)!.messages[0]!;
    expect(mail.subject).toBe('[Schoolgate] Change request 1 is waiting for your approval');
    expect(mail.text).toContain('Asked by: Sam Teacher');
    expect(mail.text).toContain('Why: Year 5 letter exchange with a partner school');
    expect(mail.text).toContain('Open it in the Schoolgate admin pages: http://127.0.0.1:8080/changes/request?id=1');
    expect(mail.text).toContain('penpals[.]example');

    // Sam sees only their own; the OSL sees all; a second member of staff sees none of Sam's.
    expect((await t.call<ChangeListView>('changes', {}, t.as('sam'))).changes.map((c) => c.id)).toEqual([1]);
    expect((await t.call<ChangeListView>('changes', {}, t.as('osl')))).toMatchObject({ approvers: 3, changes: [{ id: 1, approvals: 0, title: 'Allow penpals.example on Pupils until 19 Dec' }] });
    expect((await t.failure('changes.approve', { id: 1 }, t.as('sam'))).message).toMatch(/your account cannot approve/);
    expect((await t.failure('changes.approve', { id: 1 }, t.ssh))).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/not over SSH/) });
    expect((await t.failure('changes.apply', { id: 1 }, t.ssh))).toMatchObject({ code: 'change-state', message: expect.stringMatching(/0 of the 2 approvals/) });

    t.tick(20);
    await t.call('changes.approve', { id: 1, note: 'moderated, fine' }, t.as('osl'));
    await t.settle();
    // The head must be one of the two: only heads hear of the second approval.
    expect(t.sent.at(-1)!.to).toEqual(['head@school.example']);
    expect((await t.failure('changes.approve', { id: 1 }, t.as('dsl')))).toMatchObject({ code: 'change-state', message: 'this change reaches pupils: the headteacher must be one of the approvers' });
    expect((await t.failure('changes.approve', { id: 1 }, t.as('osl'))).message).toMatch(/already approved/);
    t.tick(40);
    const approved = await t.call<ChangeRequest>('changes.approve', { id: 1 }, t.as('head'));
    expect(approved).toMatchObject({ status: 'approved', decisionSeconds: 3600 });
    expect(approved.approvals.map((a) => [a.by, a.head])).toEqual([['account:osl', false], ['account:head', true]]);
    await t.settle();
    expect(t.sent.at(-1)!.to.sort()).toEqual(['it@provider.example', 'sam@school.example']);

    expect((await t.failure('changes.apply', { id: 1 }, t.as('head'))).message).toMatch(/only the IT provider/);
    const applied = await t.call<ChangeRequest>('changes.apply', { id: 1 }, t.ssh);
    expect(applied.status).toBe('applied');
    expect(applied.steps.at(-1)).toMatchObject({ kind: 'applied', by: 'ssh:tess', reference: 'change-1' });
    expect(t.config.current.exceptions).toEqual([{
      id: 'change-1', domain: 'penpals.example', action: 'allow', networks: ['pupil'], reason: 'Year 5 letter exchange with a partner school', requestedBy: 'Sam Teacher', expires: '2026-12-19T23:59:00.000Z',
    }]);
    expect(decide(t.config, 'pupil', 'penpals.example', 'chat')).toEqual({ action: 'allow', watch: false, reason: 'exception-allow', exceptionId: 'change-1' });
    expect(decide(t.config, 'pupil', 'www.penpals.example', 'chat')).toMatchObject({ action: 'allow', exceptionId: 'change-1' });
    expect(decide(t.config, 'staff', 'penpals.example', 'chat')).toMatchObject({ action: 'block', reason: 'category', category: 'chat' });
    expect(decide(t.config, 'guest', 'penpals.example', 'chat')).toMatchObject({ action: 'block', reason: 'category' });
    await t.settle();
    expect(t.sent.at(-1)!.to).toEqual(['sam@school.example']);
    expect((await t.failure('changes.apply', { id: 1 }, t.ssh)).message).toMatch(/it has been applied/);

    const views = await t.call<ExceptionListView>('changes.exceptions', {}, t.as('sam'));
    expect(views).toMatchObject({ timezone: 'Europe/London', exceptions: [{ id: 'change-1', where: 'Pupils', expired: false, changeRequest: 1, requestedBy: 'Sam Teacher' }] });

    const entries = [...t.db.audit.export()].filter((e) => e.subject === 'change 1');
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ['change.request', 'account:sam'], ['change.approve', 'account:osl'], ['change.approve', 'account:head'], ['change.apply', 'ssh:tess'],
    ]);
    expect(entries[0]!.details).toMatchObject({ proposal: { domain: 'penpals.example' }, needsHead: true });
    expect(entries[3]!.details).toMatchObject({ proposal: { kind: 'exception' }, exception: 'change-1' });
    expect(t.db.audit.verify()).toMatchObject({ ok: true });
  });

  it('an allow for one named device: its MAC checked and stored canonical, the head needed even on staff, then only that device let through', async () => {
    const t = await setup();
    const WATCH = '3c:22:fb:00:00:07';
    t.db.devices.enrol(WATCH, 'staff', new Date(START), { name: "Sam's watch", groupId: null, schoolOwned: false });
    const fields = (devices: string[]) => ({
      proposal: { kind: 'exception', domain: 'chat.example', action: 'allow', networks: ['staff'], devices },
      rationale: "Sam's watch messages home after school", riskNote: 'one device, contacts set by the parents',
    });
    expect(await t.failure('changes.request', fields(['3c:22:fb:00:00']), t.as('sam'))).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/^a device is named by its MAC address, and "3c:22:fb:00:00" is not a MAC address/) });
    const asked = await t.call<ChangeRequest>('changes.request', fields(['3C-22-FB-00-00-07', WATCH]), t.as('sam'));
    expect(asked).toMatchObject({ needsHead: true, proposal: { devices: [WATCH] } });
    expect((await t.call<ChangeListView>('changes', {}, t.as('osl'))).changes[0]!.title).toBe(`Allow chat.example for Sam's watch (${WATCH}) on Staff`);
    await t.call('changes.approve', { id: 1 }, t.as('osl'));
    expect(await t.failure('changes.approve', { id: 1 }, t.as('dsl'))).toMatchObject({ message: 'this change is for named devices: the headteacher must be one of the approvers' });
    await t.call('changes.approve', { id: 1 }, t.as('head'));
    await t.call('changes.apply', { id: 1 }, t.ssh);
    expect(t.config.current.exceptions).toEqual([expect.objectContaining({ id: 'change-1', networks: ['staff'], devices: [WATCH] })]);
    expect(decide(t.config, 'staff', 'chat.example', 'chat', WATCH)).toMatchObject({ action: 'allow', reason: 'exception-allow' });
    expect(decide(t.config, 'staff', 'chat.example', 'chat', '3c:22:fb:00:00:08')).toMatchObject({ action: 'block', reason: 'category' });
    expect(decide(t.config, 'staff', 'chat.example', 'chat')).toMatchObject({ action: 'block', reason: 'category' });
    const views = await t.call<ExceptionListView>('changes.exceptions', {}, t.as('sam'));
    expect(views.exceptions[0]).toMatchObject({ where: `Staff, for Sam's watch (${WATCH}) only`, devices: [{ mac: WATCH, name: "Sam's watch" }] });
  });

  it('refuses a page\'s edit gone stale with nothing changed, recording the refusal; ends an exception early', async () => {
    const t = await setup();
    const pupil = t.config.current.policies.findIndex((p) => p.id === 'pupil');
    const path = `/policies/${pupil}/categories/social`;
    const edit = { kind: 'config', action: 'policy.edit', subject: 'pupil', edits: [{ path, before: { disposition: 'unacceptable' }, after: { disposition: 'acceptable' } }] };
    const asked = await t.call<ChangeRequest>('changes.request', { proposal: edit, rationale: 'social media lessons in PSHE', riskNote: 'pupils see public pages only, supervised' }, t.as('osl'));
    expect(asked.needsHead).toBe(true);
    expect(asked.summary).toEqual(['The Pupils policy (used on Pupils): Social networking: unacceptable → acceptable']);
    await t.call('changes.approve', { id: 1 }, t.as('dsl'));
    await t.call('changes.approve', { id: 1 }, t.as('head'));
    // Someone saves the same row another way meanwhile.
    await t.config.update((draft) => { draft.policies[pupil]!.categories.social = { disposition: 'unacceptable', watch: true }; });
    const before = structuredClone(t.config.current);
    const refused = await t.failure('changes.apply', { id: 1 }, t.ssh);
    expect(refused).toMatchObject({ code: 'change-state', message: `the configuration changed since this was requested (${path}): withdraw it and request again` });
    expect(t.config.current).toEqual(before);
    const after = await t.call<ChangeRequest>('changes.show', { id: 1 }, t.as('osl'));
    expect(after.status).toBe('approved');
    expect(after.steps.at(-1)).toMatchObject({ kind: 'apply-failed', by: 'ssh:tess', note: refused.message });
    expect([...t.db.audit.export()].at(-1)).toMatchObject({ action: 'change.apply-failed', subject: 'change 1' });
    // Withdrawn by an approver: final.
    await t.call('changes.withdraw', { id: 1, note: 'ask again from the page' }, t.as('head'));
    expect((await t.failure('changes.apply', { id: 1 }, t.ssh)).message).toMatch(/withdrawn, and a withdrawn request is final/);

    // An exception ended early, by a request of its own that needs no head.
    await t.config.update((draft) => { draft.exceptions.push({ id: 'old-one', domain: 'a.example', action: 'allow', networks: ['staff'], reason: 'from before', requestedBy: 'IT' }); });
    const end = await t.call<ChangeRequest>('changes.request', { proposal: { kind: 'exception-end', exceptionId: 'old-one' }, rationale: 'the topic is finished now', riskNote: 'staff lose access to a.example' }, t.ssh);
    expect(end).toMatchObject({ id: 2, needsHead: false, requestedBy: 'ssh:tess' });
    await t.call('changes.approve', { id: 2 }, t.as('dsl'));
    await t.call('changes.approve', { id: 2 }, t.as('osl'));
    await t.call('changes.apply', { id: 2 }, t.ssh);
    expect(t.config.current.exceptions).toEqual([]);
    expect(t.db.audit.verify()).toMatchObject({ ok: true });
  });

  it('keeps a decline final, records upstream with its reference and a review-due item, and refuses bad requests with nothing stored', async () => {
    const t = await setup();
    const fields = { proposal: { kind: 'exception', domain: 'game.example', action: 'allow', networks: ['staff'] }, rationale: 'staff room lunchtime gaming', riskNote: 'staff only, their own time' };
    await t.call('changes.request', fields, t.as('sam'));
    expect((await t.failure('changes.decline', { id: 1, note: 'no' }, t.as('osl'))).message).toMatch(/note/);
    expect((await t.failure('changes.decline', { id: 1, note: 'not a school need' }, t.as('sam'))).message).toMatch(/your account cannot decline/);
    t.tick(5);
    const declined = await t.call<ChangeRequest>('changes.decline', { id: 1, note: 'not a school need' }, t.as('osl'));
    expect(declined).toMatchObject({ status: 'declined', decisionSeconds: 300 });
    await t.settle();
    expect(t.sent.at(-1)!.to).toEqual(['sam@school.example']);
    expect(t.sent.at(-1)!.messages[0]!.text).toContain('Note: not a school need');
    for (const [method, params, who] of [['changes.approve', { id: 1 }, t.as('head')], ['changes.withdraw', { id: 1 }, t.as('sam')], ['changes.apply', { id: 1 }, t.ssh]] as const) {
      expect((await t.failure(method, params, who)).message).toMatch(/declined, and a declined request is final/);
    }

    await t.call('changes.request', { ...fields, proposal: { kind: 'exception', domain: 'upstream.example', action: 'block', networks: ['pupil', 'guest'] } }, t.as('sam'));
    await t.call('changes.approve', { id: 2 }, t.as('dsl'));
    await t.call('changes.approve', { id: 2 }, t.as('osl'));
    expect((await t.failure('changes.upstream', { id: 2, reference: '' }, t.ssh)).code).toBe('bad-params');
    const sent = await t.call<ChangeRequest>('changes.upstream', { id: 2, reference: 'SWGFL-4411', note: 'asked by phone' }, t.as('tech'));
    expect(sent).toMatchObject({ status: 'sent-upstream' });
    expect(sent.steps.at(-1)).toMatchObject({ kind: 'sent-upstream', reference: 'SWGFL-4411', note: 'asked by phone', by: 'account:tech' });
    expect(t.due).toEqual(['change request 2 sent to the filtering provider (SWGFL-4411): Block upstream.example on Pupils, Visitors']);
    expect([...t.db.audit.export()].at(-1)).toMatchObject({ action: 'change.upstream', details: { reference: 'SWGFL-4411' } });

    const count = t.db.changes.count();
    const audits = t.db.audit.count();
    expect((await t.failure('changes.request', { ...fields, proposal: { ...fields.proposal, networks: ['library'] } }, t.as('sam')))).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/no network "library"/) });
    expect((await t.failure('changes.request', { ...fields, rationale: 'short' }, t.as('sam'))).code).toBe('bad-params');
    expect((await t.failure('changes.request', fields, t.as('gov'))).message).toMatch(/cannot ask for filtering changes/);
    expect((await t.failure('changes.show', { id: 99 }, t.as('osl'))).code).toBe('not-found');
    expect(t.db.changes.count()).toBe(count);
    expect(t.db.audit.count()).toBe(audits);
    expect(t.db.audit.verify()).toMatchObject({ ok: true });
  });

  it('shows a request only to the requester and those who see all; refuses a disabled account', async () => {
    const t = await setup();
    await t.call('changes.request', { proposal: { kind: 'exception', domain: 'a.example', action: 'allow', networks: ['staff'] }, rationale: 'for a science lesson', riskNote: 'staff only for a week' }, t.as('sam'));
    t.db.accounts.insert({ username: 'kim', displayName: 'Kim', email: null, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles: ['staff'], createdAt: new Date(START).toISOString() });
    expect((await t.failure('changes.show', { id: 1 }, t.as('kim'))).code).toBe('forbidden');
    expect((await t.call<ChangeListView>('changes', {}, t.as('kim'))).changes).toEqual([]);
    expect((await t.call<ChangeListView>('changes', { mine: true }, t.as('osl'))).changes).toEqual([]);
    expect((await t.call<ChangeListView>('changes', {}, t.ssh)).changes).toHaveLength(1);
    t.db.accounts.update(t.db.accounts.byUsername('osl')!.id, { disabled: true });
    expect((await t.failure('changes.approve', { id: 1 }, t.as('osl'))).message).toMatch(/not in use/);
    expect((await t.call<ChangeListView>('changes', {}, t.as('head'))).approvers).toBe(2);
  });
});
