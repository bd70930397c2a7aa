// The teacher's class view in Chromium, on one real daemon whose pupil policy blocks streaming and
// whose Year 6 class holds an iPad with a lease on the pupil network: the headteacher sets, on the
// Acceptable use page, that teachers may unlock streaming for Year 6 for at most 60 minutes (a
// change request, approved by two others and applied by the technician through the API); the
// head names Sam, a member of staff, as Year 6's teacher on the Networks page; the iPad's DNS
// questions show on Sam's "Your classes" with the blocked one marked; Sam unlocks streaming for 30
// minutes (confirmed first) and the iPad then gets the streaming name; a teacher of no class sees
// no class and cannot read Year 6's. Screenshots at 1280 and 390 px wide go to /tmp/sg/shots/.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClassListView, ClassLive, ClassLimitsView } from '../../firmware/admin/api/classes-schema.ts';
import type { ChangeRequestPage } from '../../firmware/admin/api/changes-schema.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { launchChromium } from '../support/browser.ts';
import { launchDaemon, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { askUdp, startTestUpstream, type TestUpstream } from '../support/upstream.ts';
import { setUpSchoolWithRoles, type AdminApi, type ApiSession } from './support/admin-api.ts';
import { axeSerious } from './support/webui.ts';

const SHOTS = '/tmp/sg/shots';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const UPSTREAM_ANSWER = '192.0.2.77';
const IPAD = { mac: '02:00:00:00:06:01', address: '127.20.0.61', name: 'Year 6 iPad 1' };
const STREAMING_NAME = 'www.dailymotion.com';
const ALLOWED_NAME = 'www.bbc.co.uk';
const WHY = 'Year 6 science lessons use short video clips from the class teacher.';
const RISK = 'One lesson at a time, supervised by the class teacher; logged with a reason.';

let upstream: TestUpstream;
let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let head: ApiSession;
let dsl: ApiSession;
let osl: ApiSession;
let tech: ApiSession;
let teacher: ApiSession;
let otherTeacher: ApiSession;

beforeAll(async () => {
  upstream = await startTestUpstream(UPSTREAM_ANSWER);
  const config = await testConfig(upstream);
  config.deviceGroups = [{ id: 'year6', name: 'Year 6' }, { id: 'year3', name: 'Year 3' }];
  config.policies.find((p) => p.id === 'pupil')!.categories.streaming = { disposition: 'unacceptable' };
  // The iPad's lease is on record before the daemon starts, as DHCP left it: DNS knows the device and its class from the first question.
  const dataDir = await mkdtemp(join(tmpdir(), 'schoolgate-test-'));
  const configFile = join(dataDir, 'config.json');
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  const state = StateDatabase.open(join(dataDir, 'state.db'));
  try {
    const now = Date.now();
    state.leases.bind({
      networkId: 'pupil', address: IPAD.address, clientKey: `mac:${IPAD.mac}`, mac: IPAD.mac, clientId: null, hostname: 'ipad-1',
      vendorClass: '', parameters: [1, 3, 6], relayAgent: null, relayInfo: null, state: 'bound',
      expires: new Date(now + 4 * 3_600_000).toISOString(), updated: new Date(now).toISOString(),
    }, { name: IPAD.name, groupId: 'year6' });
  } finally {
    state.close();
  }
  daemon = await launchDaemon({ dataDir, configFile, config });
  ({ admin, head, dsl, osl, tech, teacher, otherTeacher } = await setUpSchoolWithRoles(daemon, {
    dsl: 'setup-dsl', osl: ['o.osl', 'online-safety-lead', 'Olu Safety'], tech: ['t.tech', 'technician', 'Tess Tech'],
    teacher: ['s.teacher', 'staff', 'Sam Teacher'], otherTeacher: ['r.teacher', 'staff', 'Robin Reception'],
  }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
  await upstream?.close();
});

/** The page at both widths; `part`: only that part of it is taken (a section of a long page). */
async function shots(page: Page, name: string, part?: Locator): Promise<void> {
  for (const [size, viewport] of [['1280', DESKTOP], ['390', PHONE]] as const) {
    await page.setViewportSize(viewport);
    // Two frames, so the layout has followed the new width before it is measured and taken.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${name} at ${size} scrolls sideways`).toBeLessThanOrEqual(0);
    const path = join(SHOTS, `classes-${name}-${size}.png`);
    if (part === undefined) await page.screenshot({ path, fullPage: true });
    else await part.screenshot({ path });
  }
  await page.setViewportSize(DESKTOP);
}

/** What the gateway answers the iPad for `name`: the upstream's address when it is let through. */
async function fromIpad(name: string): Promise<string> {
  const reply = await askUdp(daemon.config.dns.listen[0]!, name, { from: IPAD.address });
  const a = reply.answers?.find((r) => r.type === 'A');
  return a === undefined ? String(reply.rcode ?? 'no answer') : String((a as { data: unknown }).data);
}

it('the head sets what teachers may unlock as a change request; two others approve it and the technician applies it', async () => {
  const { page, cspViolations } = await admin.openAs(browser, head, '/policies', DESKTOP);
  try {
    const section = page.getByRole('region', { name: 'What teachers may unlock' });
    await section.getByText('Nothing: teachers cannot unlock anything for their classes.').waitFor();
    await section.getByRole('button', { name: 'Change what teachers may unlock' }).click();
    await section.getByRole('button', { name: 'Add a limit' }).click();
    await section.getByLabel('May be unlocked').selectOption({ label: 'Video and music streaming' });
    await section.getByLabel('For at most (minutes)').fill('60');
    await section.getByRole('checkbox', { name: 'Year 6' }).check();
    await section.getByLabel('The educational reason').fill(WHY);
    await section.getByLabel('Benefit against risk').fill(RISK);
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'limits-form', section);
    await section.getByRole('button', { name: 'Send the limits for approval' }).click();
    await section.getByText(/Sent for approval as change request \d+/).waitFor();
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  const limits = (await admin.call('GET', '/api/class-limits', undefined, head)).json as ClassLimitsView;
  expect(limits.limits).toEqual([]);
  const changes = (await admin.call('GET', '/api/changes', undefined, tech)).json as { changes: { id: number; title: string }[] };
  const request = changes.changes.find((c) => c.title === 'Change what teachers may unlock for their classes')!;
  expect(request).toBeDefined();
  const shown = (await admin.call('GET', `/api/changes/${request.id}`, undefined, dsl)).json as ChangeRequestPage;
  expect(shown.request.summary).toEqual(['What teachers may unlock for their classes: none → Video and music streaming for Year 6, up to 60 minutes']);
  expect((await admin.call('POST', `/api/changes/${request.id}/approve`, {}, dsl)).status).toBe(200);
  expect((await admin.call('POST', `/api/changes/${request.id}/approve`, {}, osl)).status).toBe(200);
  const applied = await admin.call('POST', `/api/changes/${request.id}/apply`, {}, tech);
  expect(applied.status, JSON.stringify(applied.json)).toBe(200);
  const after = (await admin.call('GET', '/api/class-limits', undefined, teacher)).json as ClassLimitsView;
  expect(after.limits).toEqual([{ category: 'streaming', title: 'Video and music streaming', groups: [{ id: 'year6', name: 'Year 6' }], maxMinutes: 60 }]);
}, 120_000);

it('the head names Sam as Year 6\'s teacher on the Networks page', async () => {
  const { page } = await admin.openAs(browser, head, '/networks', DESKTOP);
  try {
    const form = page.getByRole('form', { name: 'Teachers' });
    await form.getByLabel('Class').selectOption({ label: 'Year 6' });
    await form.getByRole('checkbox', { name: 'Sam Teacher (s.teacher)' }).check();
    await form.getByRole('button', { name: 'Save the teachers' }).click();
    await form.getByText('Saved: each teacher sees their classes from now on.').waitFor();
    await form.getByText('Sam Teacher').first().waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'teachers', form);
  } finally {
    await page.context().close();
  }
}, 60_000);

it("Sam sees Year 6's lookups live, the blocked one marked, and unlocks streaming for 30 minutes: the iPad then gets it", async () => {
  expect(await fromIpad(STREAMING_NAME)).not.toBe(UPSTREAM_ANSWER);
  expect(await fromIpad(ALLOWED_NAME)).toBe(UPSTREAM_ANSWER);
  // The query log is written in batches: wait until both questions are in it.
  let live: ClassLive | undefined;
  await expect.poll(async () => {
    live = (await admin.call('GET', '/api/classes/year6/live', undefined, teacher)).json as ClassLive;
    return live.lookups?.map((l) => l.name) ?? [];
  }, { timeout: 20_000, interval: 250 }).toEqual(expect.arrayContaining([STREAMING_NAME, ALLOWED_NAME]));
  expect(live!.lookups.find((l) => l.name === STREAMING_NAME)).toMatchObject({ blocked: true, mac: IPAD.mac, device: IPAD.name });
  expect(live!.lookups.find((l) => l.name === ALLOWED_NAME)).toMatchObject({ blocked: false });

  const { page, cspViolations } = await admin.openAs(browser, teacher, '/classes', DESKTOP);
  try {
    await page.getByRole('heading', { level: 1, name: 'Your classes' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Year 6' }).waitFor();
    await page.getByText('1 device · taught by you').waitFor();
    const lookups = page.getByRole('list', { name: 'Newest first' });
    const blocked = lookups.getByRole('listitem').filter({ hasText: STREAMING_NAME }).first();
    await blocked.getByText('Blocked: Video and music streaming').waitFor();
    expect(await blocked.getAttribute('class')).toContain('lookup-blocked');
    const allowed = lookups.getByRole('listitem').filter({ hasText: ALLOWED_NAME }).first();
    expect(await allowed.innerText()).toContain('Allowed');
    // Names are inert text: no link to what a device looked up.
    expect(await page.locator('.class-live a').count()).toBe(0);
    await page.locator('#blocked-names').getByText(STREAMING_NAME).waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'live');

    await page.getByRole('button', { name: 'Unlock for this lesson' }).click();
    await page.getByLabel('What to unlock').selectOption({ label: 'Video and music streaming' });
    await page.getByLabel('For how long').selectOption('30');
    await page.getByLabel('What the lesson needs it for').fill('The water cycle clips for today\'s science lesson');
    await shots(page, 'unlock-form');
    await page.getByRole('button', { name: 'Unlock Video and music streaming' }).click();
    const dialog = page.getByRole('dialog', { name: 'Unlock Video and music streaming for Year 6?' });
    await dialog.getByText(/Every device in Year 6 can reach video and music streaming until \d\d:\d\d/).waitFor();
    await dialog.getByRole('button', { name: 'Unlock for 30 minutes' }).click();
    await page.getByText(/Video and music streaming is unlocked for Year 6 until \d\d:\d\d\./).waitFor();
    const unlocked = page.getByRole('region', { name: 'Unlocked now' });
    await unlocked.getByRole('button', { name: 'End Video and music streaming now' }).waitFor();
    expect(await unlocked.innerText()).toContain('By you at');
    expect(await unlocked.innerText()).toContain('The water cycle clips');
    // The one category allowed is unlocked: nothing more to offer until it ends.
    expect(await page.getByRole('button', { name: 'Unlock for this lesson' }).count()).toBe(0);
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'unlocked');
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  const list = (await admin.call('GET', '/api/classes', undefined, teacher)).json as ClassListView;
  const unlock = list.classes[0]!.unlocks[0]!;
  expect(unlock).toMatchObject({ group: 'year6', category: 'streaming', by: 'account:s.teacher' });
  expect(Date.parse(unlock.until) - Date.parse(unlock.from)).toBe(30 * 60_000);
  await expect.poll(() => fromIpad(STREAMING_NAME), { timeout: 15_000, interval: 250 }).toBe(UPSTREAM_ANSWER);
  // The DSL, who watches every class, reads its teacher and who unlocked by name, not username.
  for (const size of [DESKTOP, PHONE]) {
    const { page: seen } = await admin.openAs(browser, dsl, '/classes', size);
    try {
      await seen.getByText('1 device · taught by Sam Teacher (s.teacher)').waitFor();
      await seen.getByRole('region', { name: 'Unlocked now' }).getByText(/^By Sam Teacher \(s\.teacher\) at/).waitFor();
      await seen.screenshot({ path: join(SHOTS, `classes-dsl-${size === PHONE ? 390 : 1280}.png`), fullPage: true });
    } finally {
      await seen.context().close();
    }
  }
  // Ended early, the class is filtered as usual again.
  expect((await admin.call('POST', `/api/classes/unlocks/${unlock.id}/end`, {}, teacher)).status).toBe(200);
  await expect.poll(() => fromIpad(STREAMING_NAME), { timeout: 15_000, interval: 250 }).not.toBe(UPSTREAM_ANSWER);
}, 120_000);

it('a teacher of no class sees no class, and cannot read or unlock for Year 6', async () => {
  expect(((await admin.call('GET', '/api/classes', undefined, otherTeacher)).json as ClassListView).classes).toEqual([]);
  expect((await admin.call('GET', '/api/classes/year6/live', undefined, otherTeacher)).status).toBeGreaterThanOrEqual(400);
  const refused = await admin.call('POST', '/api/classes/year6/unlock', { category: 'streaming', minutes: 30, reason: 'a film for my class' }, otherTeacher);
  expect(refused.status).toBeGreaterThanOrEqual(400);
  const { page } = await admin.openAs(browser, otherTeacher, '/classes', PHONE);
  try {
    await page.getByRole('heading', { level: 2, name: 'No class yet' }).waitFor();
    expect(await page.getByText('Year 6').count()).toBe(0);
    expect(await axeSerious(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'classes-none-390.png'), fullPage: true });
  } finally {
    await page.context().close();
  }
}, 60_000);
