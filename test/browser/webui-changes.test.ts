// Change control in Chromium, on one real daemon whose staff policy blocks streaming (a video list
// holding youtube.com): a member of staff asks, on the form, for www.youtube.com to be allowed on
// the staff network with a reason and a risk note; they cannot approve it themselves; the online-
// safety lead finds it waiting on the list and approves it; the headteacher approves it (the time
// to decision shown); the technician applies it, and a DNS question for www.youtube.com from the
// staff network is then answered, and the exception is listed with its request. A request widening
// an allow to the pupil network, approved by two approvers neither of whom is the head, is refused
// with the head's message; an approver cannot approve their own. The DSL asks, from a device's
// panel on the devices page, for m.youtube.com for that one device (a watch) on the staff network;
// the online-safety lead and the head approve, the technician applies, and `schoolgate check` then
// allows it for the watch and blocks it for another device on the same network. The head answers
// staff's access requests from the block page there: one dismissed, one made into a change request
// that leaves the list once approved. Screenshots of the form (with the device picker), the list,
// the access requests and the request page at 1280 and 390 px wide go to /tmp/sg/shots/.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChangeListPage, ChangeRequestPage, ExceptionsPage } from '../../firmware/admin/api/changes-schema.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { askUdp, startTestUpstream, type TestUpstream } from '../support/upstream.ts';
import { setUpSchoolWithRoles, type AdminApi, type ApiSession } from './support/admin-api.ts';
import { axeSerious } from './support/webui.ts';

const SHOTS = '/tmp/sg/shots';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const UPSTREAM_ANSWER = '192.0.2.77';
const STAFF_DEVICE = '127.10.0.5';
const WHY = 'Year 6 history: the BBC Teach clips on the Victorians are only on YouTube.';
const RISK = 'Staff network only, for teachers preparing lessons; pupils keep the standard filtering.';

let upstream: TestUpstream;
let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let head: ApiSession;
let dsl: ApiSession;
let osl: ApiSession;
let staff: ApiSession;
let tech: ApiSession;
let id = 0;

beforeAll(async () => {
  upstream = await startTestUpstream(UPSTREAM_ANSWER);
  const config = await testConfig(upstream);
  config.lists.push({ id: 'video-test', name: 'Video sites (test)', category: 'streaming', file: 'video.txt', format: 'domains', enabled: true });
  const staffPolicy = config.policies.find((p) => p.id === 'staff')!;
  staffPolicy.categories.streaming = { disposition: 'unacceptable' };
  // Safe search stays on (moderate): the allowed name is answered through restrictmoderate.youtube.com,
  // which the video list also holds; the safe host is never blocked for a name the policy let through.
  daemon = await startDaemonProcess(config, { 'lists/video.txt': 'youtube.com\n' });
  ({ admin, head, dsl, osl, staff, tech } = await setUpSchoolWithRoles(daemon, {
    dsl: 'setup-dsl', osl: ['o.osl', 'online-safety-lead', 'Olu Safety'], staff: ['s.staff', 'staff', 'Sam Teacher'], tech: ['t.tech', 'technician', 'Tess Tech'],
  }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
  await upstream?.close();
});

async function shots(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of [['1280', DESKTOP], ['390', PHONE]] as const) {
    await page.setViewportSize(viewport);
    // Two frames, so the layout has followed the new width before it is measured and taken.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${name} at ${size} scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, `changes-${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

/** What the gateway answers a staff device for www.youtube.com: the upstream's address once it is let through. */
async function youtubeFromStaff(): Promise<string> {
  const reply = await askUdp(daemon.config.dns.listen[0]!, 'www.youtube.com', { from: STAFF_DEVICE });
  const a = reply.answers?.find((r) => r.type === 'A');
  return a === undefined ? String(reply.rcode ?? 'no answer') : String((a as { data: unknown }).data);
}

const show = async (s: ApiSession) => (await admin.call('GET', `/api/changes/${id}`, undefined, s)).json as ChangeRequestPage;

it('a member of staff asks on the form for www.youtube.com on the staff network; they cannot approve it', async () => {
  expect(await youtubeFromStaff()).not.toBe(UPSTREAM_ANSWER);
  const { page, cspViolations } = await admin.openAs(browser, staff, '/changes/new?allow=www.youtube.com', DESKTOP);
  try {
    await page.getByRole('heading', { level: 1, name: 'Ask for a change' }).waitFor();
    expect(await page.getByLabel('The site').inputValue()).toBe('www.youtube.com');
    // Staff networks are ticked to start with; ticking the pupils' says the head must approve.
    expect(await page.getByRole('checkbox', { name: 'Staff' }).isChecked()).toBe(true);
    const pupils = page.getByRole('checkbox', { name: /^Pupils/ });
    expect(await pupils.isChecked()).toBe(false);
    expect(await page.getByText('Pupils are in scope: the headteacher must approve.').count()).toBe(0);
    await pupils.check();
    await page.getByText('Pupils are in scope: the headteacher must approve.').waitFor();
    await page.getByLabel('The educational reason').fill(WHY);
    await page.getByLabel('Benefit against risk').fill(RISK);
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'form-pupils');
    await pupils.uncheck();
    expect(await page.getByText('Pupils are in scope: the headteacher must approve.').count()).toBe(0);
    await shots(page, 'form');
    await page.getByRole('button', { name: 'Send for approval' }).click();

    await page.getByRole('heading', { level: 1, name: 'Change request' }).waitFor();
    await page.getByText(/Change request \d+ was sent: the approvers are told at once/).waitFor();
    id = Number(new URL(page.url()).searchParams.get('id'));
    expect(id).toBeGreaterThan(0);
    await page.getByText('Sam Teacher (s.staff)').first().waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Withdraw the request' }).count()).toBe(1);
    expect(await axeSerious(page)).toEqual([]);
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  const asked = await show(staff);
  expect(asked.request).toMatchObject({
    status: 'awaiting-approval', needsHead: false, requestedBy: 'account:s.staff', rationale: WHY, riskNote: RISK,
    proposal: { kind: 'exception', action: 'allow', domain: 'www.youtube.com', networks: ['staff'] },
  });
  expect(asked.may).toMatchObject({ approve: false, withdraw: true });
  expect((await admin.call('POST', `/api/changes/${id}/approve`, {}, staff)).status).toBe(403);
  expect((await show(staff)).request.approvals).toEqual([]);
}, 90_000);

it('the online-safety lead finds it waiting on the list and approves it; the head approves it, the time to decision shown', async () => {
  const { page } = await admin.openAs(browser, osl, '/changes', DESKTOP);
  try {
    const waiting = page.getByRole('region', { name: /Waiting for your approval: 1/ });
    await waiting.waitFor();
    await waiting.getByRole('link', { name: `Request ${id}` }).waitFor();
    // The page says what change control covers now, investigations included.
    expect(await page.locator('.changes-intro').innerText()).toMatch(/a schedule in use[\s\S]*two senior accounts, each a headteacher or a DSL, approve it/);
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'list');
    await waiting.getByRole('link', { name: `Request ${id}` }).click();
    await page.getByRole('heading', { level: 1, name: 'Change request' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Your decision' }).waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'request-approver');
    await page.getByLabel(/^Note/).fill('Agreed for staff lesson preparation.');
    await page.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog', { name: `Approve change request ${id}?` });
    await dialog.getByText('Yours is the first of the two approvals it needs.').waitFor();
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(`You approved change request ${id}.`).waitFor();
    await page.getByText('Olu Safety (o.osl)').first().waitFor();
    // Approved once, the button is gone for this account.
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
  } finally {
    await page.context().close();
  }
  // A second approval by the same account is refused by the server too.
  expect((await admin.call('POST', `/api/changes/${id}/approve`, {}, osl)).status).toBeGreaterThanOrEqual(400);

  const opened = await admin.openAs(browser, head, `/changes/request?id=${id}`, DESKTOP);
  try {
    const page = opened.page;
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog', { name: `Approve change request ${id}?` }).getByRole('button', { name: 'Approve' }).click();
    await page.getByText(`You approved change request ${id}.`).waitFor();
    await page.getByText(/time to decision/).waitFor();
    expect(await page.locator('.change-status').first().innerText()).toBe('Approved: to be applied');
  } finally {
    await opened.page.context().close();
  }
  const decided = (await show(head)).request;
  expect(decided.status).toBe('approved');
  expect(decided.approvals.map((a) => [a.by, a.head])).toEqual([['account:o.osl', false], ['account:a.head', true]]);
  expect(decided.decidedAt).not.toBeNull();
  expect(decided.decisionSeconds).toBeGreaterThanOrEqual(0);
}, 90_000);

it('the technician applies it: the staff network now gets www.youtube.com, and the exception is listed with its request', async () => {
  const { page, cspViolations } = await admin.openAs(browser, tech, `/changes/request?id=${id}`, DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: 'Apply the approved change' }).waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Apply it here' }).click();
    await page.getByRole('dialog', { name: `Apply change request ${id} here?` }).getByRole('button', { name: 'Apply it now' }).click();
    await page.getByText(`Change request ${id} was applied: the gateway filters by it from now on.`).waitFor();
    await page.getByText(/Applied here by Tess Tech \(t\.tech\)/).first().waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'request');
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  await expect.poll(youtubeFromStaff, { timeout: 15_000, interval: 250 }).toBe(UPSTREAM_ANSWER);
  const exceptions = (await admin.call('GET', '/api/exceptions', undefined, staff)).json as ExceptionsPage;
  expect(exceptions.exceptions).toEqual([expect.objectContaining({ domain: 'www.youtube.com', action: 'allow', networks: ['staff'], changeRequest: id, expired: false })]);
  // Beside the AUP tables, with its reason and who asked; ending it early is a request of its own.
  const aup = await admin.openAs(browser, staff, '/policies', PHONE);
  try {
    const page = aup.page;
    const table = page.getByRole('region', { name: 'Exceptions: 1' });
    await table.getByText('www.youtube.com').first().waitFor();
    expect(await table.innerText()).toContain('Sam Teacher');
    expect(await axeSerious(page)).toEqual([]);
    await table.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'changes-aup-exceptions-390.png'), fullPage: true });
    await table.getByRole('link', { name: 'End www.youtube.com early' }).click();
    await page.getByRole('heading', { level: 2, name: /Allowed: www\.youtube\.com/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Send for approval' }).count()).toBe(1);
    await shots(page, 'form-end');
  } finally {
    await aup.page.context().close();
  }
  // The member of staff sees their own request, applied, on the list.
  const mine = (await admin.call('GET', '/api/changes', undefined, staff)).json as ChangeListPage;
  expect(mine.all).toBe(false);
  expect(mine.changes.map((c) => [c.id, c.status])).toEqual([[id, 'applied']]);
}, 90_000);

it('refuses an allow for the pupil network approved by two approvers neither of whom is the head, and an approver\'s own request', async () => {
  const asked = await admin.call('POST', '/api/changes', {
    proposal: { kind: 'exception', action: 'allow', domain: 'www.youtube.com', networks: ['staff', 'pupil'] },
    rationale: WHY, riskNote: 'Pupils would reach every YouTube video during lessons.',
  }, staff);
  expect(asked.status, JSON.stringify(asked.json)).toBe(200);
  const pupilId = (asked.json as ChangeRequestPage).request.id;
  expect((asked.json as ChangeRequestPage).request.needsHead).toBe(true);
  expect((await admin.call('POST', `/api/changes/${pupilId}/approve`, {}, osl)).status).toBe(200);
  const refused = await admin.call('POST', `/api/changes/${pupilId}/approve`, {}, dsl);
  expect(refused.status).toBeGreaterThanOrEqual(400);
  expect(refused.json.error).toMatch(/this change reaches pupils: the headteacher must be one of the approvers/);
  const after = (await admin.call('GET', `/api/changes/${pupilId}`, undefined, dsl)).json as ChangeRequestPage;
  expect(after.request.status).toBe('awaiting-approval');
  expect(after.request.approvals).toHaveLength(1);
  // The page would not have offered it: the DSL is told why instead.
  expect(after.may.approve).toBe(false);
  expect(after.waitingOn).toMatch(/headteacher must be one of the approvers/);

  const own = await admin.call('POST', '/api/changes', {
    proposal: { kind: 'exception', action: 'block', domain: 'games.example', networks: ['pupil'] },
    rationale: 'Pupils found a game site during lessons', riskNote: 'Blocking takes nothing educational away.',
  }, osl);
  expect(own.status, JSON.stringify(own.json)).toBe(200);
  const ownId = (own.json as ChangeRequestPage).request.id;
  expect((own.json as ChangeRequestPage).may.approve).toBe(false);
  expect((await admin.call('POST', `/api/changes/${ownId}/approve`, {}, osl)).status).toBeGreaterThanOrEqual(400);
  expect(((await admin.call('GET', `/api/changes/${ownId}`, undefined, osl)).json as ChangeRequestPage).request.approvals).toEqual([]);
}, 60_000);

it('an exception for one device: asked from its panel, approved with the head, applied; only that device gets the name', async () => {
  const WATCH = '3c:22:fb:00:00:07';
  const IPAD = '3c:22:fb:00:00:08';
  for (const [mac, name] of [[WATCH, "Sam's watch"], [IPAD, 'Class iPad 2']] as const) {
    const added = await admin.call('POST', '/api/devices', { mac, name, group: null, network: 'staff', schoolOwned: false }, tech);
    expect(added.status, JSON.stringify(added.json)).toBe(200);
  }
  const check = async (mac: string) => {
    const result = await daemon.cli(['check', 'm.youtube.com', '--network', 'staff', '--device', mac, '--json']);
    expect(result.code, result.stderr).toBe(0);
    // Allowed on staff is answered through safe search's restricted YouTube host: the decision says it.
    return JSON.parse(result.stdout) as { answer: string; policy: { decision: { action: string; reason: string }; exceptions: { status: string; note: string }[] } };
  };
  expect((await check(WATCH)).policy.decision.action).toBe('block');

  const { page, cspViolations } = await admin.openAs(browser, dsl, '/devices', DESKTOP);
  try {
    await page.getByRole('button', { name: "Sam's watch" }).click();
    await page.getByRole('link', { name: 'Ask for an exception for this device' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ask for a change' }).waitFor();
    const chosen = page.getByRole('list', { name: 'Devices chosen' });
    await chosen.getByText(`Sam's watch (${WATCH})`).waitFor();
    // The device's own network is ticked, and the head's approval is said at once.
    expect(await page.getByRole('checkbox', { name: 'Staff' }).isChecked()).toBe(true);
    await page.getByText('For named devices: the headteacher must approve.').waitFor();
    // A typing slip is said beside the field; nothing is added.
    await page.getByLabel('Or its MAC address').fill('3c:22:fb:00:00');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('"3c:22:fb:00:00" is not a MAC address').waitFor();
    await page.getByLabel('Or its MAC address').fill('');
    expect(await page.getByLabel('A device the gateway knows').locator('option').allInnerTexts()).toEqual(['Choose a device…', `Class iPad 2 (${IPAD})`]);
    await page.getByLabel('The site').fill('m.youtube.com');
    await page.getByLabel('The educational reason').fill("Sam's watch plays the class's BBC Bitesize clips after school club.");
    await page.getByLabel('Benefit against risk').fill('One device, after school, restricted mode on; every other device keeps the filtering.');
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'form-device');
    await page.getByRole('button', { name: 'Send for approval' }).click();
    await page.getByText(/Change request \d+ was sent/).waitFor();
    await page.getByRole('row', { name: /Only for the device/ }).getByText(WATCH).waitFor();
    await page.getByText('the headteacher approves an exception for a single device.').waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'request-device');
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  const mine = (await admin.call('GET', '/api/changes', undefined, dsl)).json as ChangeListPage;
  const asked = mine.changes.find((c) => c.title.includes('m.youtube.com'))!;
  expect(asked).toMatchObject({ title: `Allow m.youtube.com for Sam's watch (${WATCH}) on Staff`, needsHead: true });
  expect((await admin.call('POST', `/api/changes/${asked.id}/approve`, {}, osl)).status).toBe(200);
  expect((await admin.call('POST', `/api/changes/${asked.id}/approve`, {}, head)).status).toBe(200);
  const applied = await admin.call('POST', `/api/changes/${asked.id}/apply`, {}, tech);
  expect(applied.status, JSON.stringify(applied.json)).toBe(200);

  await expect.poll(async () => (await check(WATCH)).policy.decision).toEqual(expect.objectContaining({ action: 'allow', reason: 'exception-allow' }));
  const other = await check(IPAD);
  expect(other.policy.decision.action).toBe('block');
  expect(other.policy.exceptions.find((e) => e.status === 'other-device')?.note).toContain(`applies only to ${WATCH}, and this device is ${IPAD}`);
  const listed = ((await admin.call('GET', '/api/exceptions', undefined, staff)).json as ExceptionsPage).exceptions.find((e) => e.domain === 'm.youtube.com');
  expect(listed).toMatchObject({ where: `Staff, for Sam's watch (${WATCH}) only`, devices: [{ mac: WATCH, name: "Sam's watch" }] });
}, 60_000);

it('the head sees what staff asked from the block page: dismisses one, makes a change request from another, which leaves the list once decided', async () => {
  const MARKUP = '<a href="http://evil.test/">quiz.example</a>';
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  try {
    state.devices.upsertSeen('02:00:00:00:00:3c', 'staff', new Date(Date.now() - 600_000));
    state.devices.update('02:00:00:00:00:3c', { name: 'Room 4 laptop' });
    state.siteReports.addRequest({ at: new Date(Date.now() - 300_000).toISOString(), networkId: 'staff', mac: '02:00:00:00:00:3c', address: STAFF_DEVICE, name: MARKUP, category: 'gaming', reason: 'A quiz for tomorrow' });
    state.siteReports.addRequest({ at: new Date(Date.now() - 120_000).toISOString(), networkId: 'staff', mac: null, address: STAFF_DEVICE, name: 'www.kahoot.it', category: 'gaming', reason: 'Year 4 times-tables quiz in maths lessons' });
  } finally {
    state.close();
  }
  const { page, cspViolations } = await admin.openAs(browser, head, '/changes', DESKTOP);
  try {
    const list = page.getByRole('region', { name: 'Asked from the block page' });
    await list.locator('.inert-name', { hasText: 'www.kahoot.it' }).waitFor();
    // The name is shown as it was asked, never as a link.
    expect(await list.locator('.inert-name').allInnerTexts()).toEqual([MARKUP, 'www.kahoot.it']);
    expect(await list.locator('.inert-name a, a[href^="http"]').count()).toBe(0);
    await list.getByText('Room 4 laptop (02:00:00:00:00:3c)').waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await list.scrollIntoViewIfNeeded();
    await shots(page, 'access-requests');
    await list.getByRole('button', { name: `Dismiss the request for ${MARKUP}` }).click();
    await list.getByText(`Dismissed the request for ${MARKUP}: it is kept, with your name and the time.`).waitFor();
    expect(await list.getByRole('button', { name: /^Dismiss/ }).count()).toBe(1);

    await list.getByRole('link', { name: 'Make a change request for www.kahoot.it' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ask for a change' }).waitFor();
    expect(await page.getByLabel('The site').inputValue()).toBe('www.kahoot.it');
    expect(await page.getByRole('checkbox', { name: 'Staff' }).isChecked()).toBe(true);
    expect(await page.getByLabel('The educational reason').inputValue()).toBe('Year 4 times-tables quiz in maths lessons');
    await page.getByLabel('Benefit against risk').fill('Staff network only: teachers run the quiz from the classroom screen.');
    await page.getByRole('button', { name: 'Send for approval' }).click();
    await page.getByText(/Change request \d+ was sent/).waitFor();
    const made = Number(new URL(page.url()).searchParams.get('id'));
    await page.goto(new URL('/changes', page.url()).toString());
    await list.getByRole('link', { name: `Change request ${made}` }).waitFor();
    expect(await list.getByText('Awaiting approval').count()).toBe(1);
    expect(await list.getByRole('link', { name: /^Make a change request/ }).count()).toBe(0);
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  const open = (await admin.call('GET', '/api/access-requests', undefined, head)).json;
  const kahoot = open.requests.find((r: { name: string }) => r.name === 'www.kahoot.it');
  expect(kahoot.change).toMatchObject({ status: 'awaiting-approval' });
  for (const approver of [dsl, osl]) expect((await admin.call('POST', `/api/changes/${kahoot.change.id}/approve`, {}, approver)).status).toBe(200);
  expect((await admin.call('GET', '/api/access-requests', undefined, head)).json.requests).toEqual([]);
  expect((await admin.call('GET', '/api/access-requests', undefined, staff)).status).toBe(403);
}, 60_000);
