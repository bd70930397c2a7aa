// Investigation mode in Chromium, on one real daemon whose pupil policy blocks streaming and whose
// pupil network holds a Year 6 iPad with a lease: the iPad looks up a VPN, the alert opens an
// incident, and on the incident's page the online-safety lead asks to investigate the iPad (the
// alert's device already chosen; no policy chosen is refused beside the field) under the staff
// policy for 3 days; the request's page names the device, the policy, the end and the incident
// and says two senior approvers must agree; the head (on the page) and the DSL approve, and the
// second approval starts it (the technician cannot read the request). The incident then shows it in force with its approvers, the devices
// list marks the iPad, and the iPad gets the streaming name; the DSL saves the evidence so far,
// then ends it: the iPad is blocked again, and the evidence CSV is on the incident, downloadable,
// its SHA-256 the one shown. Screenshots at 1280 and 390 px wide go to /tmp/sg/shots/.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AlertListView } from '../../firmware/admin/api/alerts-schema.ts';
import type { ChangeRequestPage } from '../../firmware/admin/api/changes-schema.ts';
import type { Incident, IncidentOpened } from '../../firmware/admin/api/incidents-schema.ts';
import type { InvestigationListView } from '../../firmware/admin/api/investigations-schema.ts';
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
const IPAD = { mac: '02:00:00:00:06:07', address: '127.20.0.67', name: 'Year 6 iPad 7' };
const STREAMING_NAME = 'www.dailymotion.com';
const WHY = 'A pupil reports that this iPad is used to reach a VPN at lunchtime; we need to see what else it reaches.';
const RISK = 'Staff filtering for three days on one class iPad kept in the office; illegal content stays blocked and every lookup is recorded.';

let upstream: TestUpstream;
let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let head: ApiSession;
let dsl: ApiSession;
let osl: ApiSession;
let tech: ApiSession;
let incidentId = 0;
let requestId = 0;

beforeAll(async () => {
  upstream = await startTestUpstream(UPSTREAM_ANSWER);
  const config = await testConfig(upstream);
  config.policies.find((p) => p.id === 'pupil')!.categories.streaming = { disposition: 'unacceptable' };
  // The iPad's lease is on record before the daemon starts, as DHCP left it: DNS knows the device from its first question.
  const dataDir = await mkdtemp(join(tmpdir(), 'schoolgate-test-'));
  const configFile = join(dataDir, 'config.json');
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  const state = StateDatabase.open(join(dataDir, 'state.db'));
  try {
    const now = Date.now();
    state.leases.bind({
      networkId: 'pupil', address: IPAD.address, clientKey: `mac:${IPAD.mac}`, mac: IPAD.mac, clientId: null, hostname: 'ipad-7',
      vendorClass: '', parameters: [1, 3, 6], relayAgent: null, relayInfo: null, state: 'bound',
      expires: new Date(now + 4 * 3_600_000).toISOString(), updated: new Date(now).toISOString(),
    }, { name: IPAD.name });
  } finally {
    state.close();
  }
  daemon = await launchDaemon({ dataDir, configFile, config });
  ({ admin, head, dsl, osl, tech } = await setUpSchoolWithRoles(daemon, {
    dsl: 'setup-dsl', osl: ['o.osl', 'online-safety-lead', 'Olu Safety'], tech: ['t.tech', 'technician', 'Tess Tech'],
  }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
  await upstream?.close();
});

/** The page at both widths; `part`: that part of it too, on its own (a section of a long page, to look at). */
async function shots(page: Page, name: string, part?: Locator): Promise<void> {
  for (const [size, viewport] of [['1280', DESKTOP], ['390', PHONE]] as const) {
    await page.setViewportSize(viewport);
    // Two frames, so the layout has followed the new width before it is measured and taken.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${name} at ${size} scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, `investigations-${name}-${size}.png`), fullPage: true });
    if (part !== undefined) await part.screenshot({ path: join(SHOTS, `investigations-${name}-part-${size}.png`) });
  }
  await page.setViewportSize(DESKTOP);
}

/** What the gateway answers the iPad for `name`: the upstream's address when it is let through. */
async function fromIpad(name: string): Promise<string> {
  const reply = await askUdp(daemon.config.dns.listen[0]!, name, { from: IPAD.address });
  const a = reply.answers?.find((r) => r.type === 'A');
  return a === undefined ? String(reply.rcode ?? 'no answer') : String((a as { data: unknown }).data);
}

it('on the incident the iPad\'s alert opened, the online-safety lead asks to investigate the iPad; the request says who must agree', async () => {
  await fromIpad('nordvpn.com');
  let alertId = 0;
  await expect.poll(async () => {
    const alerts = (await admin.call('GET', '/api/alerts', undefined, dsl)).json as AlertListView;
    alertId = alerts.alerts.find((a) => a.mac === IPAD.mac)?.id ?? 0;
    return alertId;
  }, { timeout: 20_000, interval: 250 }).toBeGreaterThan(0);
  const opened = await admin.call('POST', '/api/incidents', { fromAlert: alertId }, osl);
  expect(opened.status, JSON.stringify(opened.json)).toBe(200);
  incidentId = (opened.json as IncidentOpened).incident.id;
  expect(await fromIpad(STREAMING_NAME)).not.toBe(UPSTREAM_ANSWER);

  const { page, cspViolations } = await admin.openAs(browser, osl, `/incidents/incident?id=${incidentId}`, DESKTOP);
  try {
    const section = page.getByRole('region', { name: 'Investigations' });
    await section.getByText('No device has been investigated for this incident.').waitFor();
    const form = page.getByRole('form', { name: 'Investigate a device' });
    // The alert's device is chosen to start with; the policy is left to the person asking.
    await expect.poll(() => form.getByLabel('The device').inputValue()).toBe(IPAD.mac);
    await form.getByText('Reduced filtering never opens illegal content').waitFor();
    expect(await form.getByLabel('For how long').inputValue()).toBe('3');
    await form.getByLabel('Why').fill(WHY);
    await form.getByLabel('Benefit against risk').fill(RISK);
    await form.getByRole('button', { name: 'Send for approval' }).click();
    await page.locator('#f-policy-error').getByText('choose the policy the device has meanwhile').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-policy');
    await form.getByLabel('The policy meanwhile').selectOption({ label: 'Staff' });
    expect(await axeSerious(page)).toEqual([]);
    await form.scrollIntoViewIfNeeded();
    await shots(page, 'form', section);
    await form.getByRole('button', { name: 'Send for approval' }).click();
    const link = form.getByRole('link', { name: /^Follow change request \d+$/ });
    await link.waitFor();
    requestId = Number(/(\d+)$/.exec(await link.innerText())![1]);
    expect(requestId).toBeGreaterThan(0);
    // The form is emptied of its words, not of its choices, so a second device can follow.
    expect(await form.getByLabel('Why').inputValue()).toBe('');

    await link.click();
    await page.getByRole('heading', { level: 1, name: 'Change request' }).waitFor();
    const proposal = page.getByRole('region', { name: 'The investigation' });
    await proposal.getByText(`${IPAD.name} (${IPAD.mac})`).waitFor();
    // The policies' names arrive after the device's: wait for them.
    await expect.poll(() => proposal.innerText()).toMatch(/Policy meanwhile\s+Staff/);
    await proposal.getByRole('link', { name: `Incident ${incidentId}` }).waitFor();
    await page.getByText('Two senior accounts, each a headteacher or a DSL', { exact: true }).waitFor();
    // The one who asked cannot approve it.
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'request', proposal);
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  const asked = (await admin.call('GET', `/api/changes/${requestId}`, undefined, osl)).json as ChangeRequestPage;
  expect(asked.request).toMatchObject({ status: 'awaiting-approval', requestedBy: 'account:o.osl', proposal: { kind: 'investigation', incidentId, device: IPAD.mac, policy: 'staff' } });
  const days = (Date.parse((asked.request.proposal as { until: string }).until) - Date.parse(asked.request.requestedAt)) / 86_400_000;
  expect(days).toBeGreaterThan(2.99);
  expect(days).toBeLessThanOrEqual(3);
}, 60_000);

it('the head approves on the page, the DSL through the API, and that starts it; the technician cannot read it', async () => {
  const { page } = await admin.openAs(browser, head, `/changes/request?id=${requestId}`, DESKTOP);
  try {
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog', { name: `Approve change request ${requestId}?` }).getByRole('button', { name: 'Approve' }).click();
    await page.getByText(`You approved change request ${requestId}.`).waitFor();
  } finally {
    await page.context().close();
  }
  const second = await admin.call('POST', `/api/changes/${requestId}/approve`, { note: 'Agreed: three days, then we meet.' }, dsl);
  expect(second.status, JSON.stringify(second.json)).toBe(200);
  const started = (second.json as ChangeRequestPage).request;
  expect(started.status).toBe('applied');
  expect(started.steps.at(-1)).toMatchObject({ kind: 'applied', by: 'system', note: 'applied on approval' });
  expect((await admin.call('GET', `/api/changes/${requestId}`, undefined, tech)).status).toBe(403);
}, 60_000);

it('the incident shows it in force; the DSL saves the evidence so far, then ends it, and the evidence CSV is on the incident', async () => {
  await expect.poll(() => fromIpad(STREAMING_NAME), { timeout: 15_000, interval: 250 }).toBe(UPSTREAM_ANSWER);

  const devices = await admin.openAs(browser, dsl, '/devices', DESKTOP);
  try {
    await devices.page.getByRole('row', { name: new RegExp(IPAD.name) }).getByText(/^Under investigation until /).waitFor();
    await devices.page.getByRole('row', { name: new RegExp(IPAD.name) }).screenshot({ path: join(SHOTS, 'investigations-device-row-1280.png') });
  } finally {
    await devices.page.context().close();
  }

  const { page, cspViolations } = await admin.openAs(browser, dsl, `/incidents/incident?id=${incidentId}`, DESKTOP);
  try {
    const section = page.getByRole('region', { name: 'Investigations' });
    const item = section.locator('li.investigation', { hasText: `Investigation ${requestId}` });
    await expect.poll(() => item.locator('.investigation-status').innerText()).toBe('In force');
    const text = await item.innerText();
    expect(text).toContain(`${IPAD.name} (${IPAD.mac})`);
    expect(text).toMatch(/Policy meanwhile\s+Staff/);
    expect(text).toMatch(/Approved by\s+Alex Head \(a\.head\) and Bo Dsl \(b\.dsl\)/);
    expect(text).toContain(`change request ${requestId}`);
    // With one in force, the form for another device is folded away until asked for.
    expect(await page.getByRole('form', { name: 'Investigate a device' }).isVisible()).toBe(false);
    await section.getByText('Investigate another device').waitFor();
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'incident-in-force', section);

    await item.getByRole('button', { name: 'Save the evidence so far' }).click();
    await page.getByRole('dialog', { name: `Save the evidence of investigation ${requestId} so far?` }).getByRole('button', { name: 'Save the evidence' }).click();
    await page.getByText(/^The evidence so far was saved on this incident: \d+ lookups?\.$/).waitFor();
    await item.getByRole('link', { name: /^Lookups from / }).waitFor();
    expect(await item.getByRole('button', { name: 'End now' }).count()).toBe(1);

    await item.getByRole('button', { name: 'End now' }).click();
    const dialog = page.getByRole('dialog', { name: `End investigation ${requestId} now?` });
    await dialog.getByLabel(/Why it ends early/).fill('The pupil admitted it; nothing more to learn.');
    await dialog.getByRole('button', { name: 'End it now' }).click();
    await page.getByText(new RegExp(`^Investigation ${requestId} was ended: the device has its usual filtering again\\. Its (1 lookup was|\\d+ lookups were) saved on this incident\\.$`)).waitFor();
    await expect.poll(() => item.locator('.investigation-status').innerText()).toBe('Ended early');
    expect(await item.getByRole('button', { name: 'End now' }).count()).toBe(0);
    expect(await item.getByRole('link', { name: /^Lookups from / }).count()).toBe(2);
    // The last saving names the DSL who ended it, not the gateway.
    expect(await item.innerText()).toMatch(/saved [^\n]* when Bo Dsl \(b\.dsl\) ended it/);
    // The evidence sits among the incident's attachments as a download, never as a picture.
    const attachments = page.getByRole('region', { name: 'Attachments' });
    expect(await attachments.locator('a[download]').count()).toBe(2);
    expect(await attachments.locator('img').count()).toBe(0);
    await attachments.screenshot({ path: join(SHOTS, 'investigations-attachments-1280.png') });
    expect(await axeSerious(page)).toEqual([]);
    await shots(page, 'incident-ended', section);
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  expect(await fromIpad(STREAMING_NAME)).not.toBe(UPSTREAM_ANSWER);

  const list = (await admin.call('GET', `/api/incidents/${incidentId}/investigations`, undefined, dsl)).json as InvestigationListView;
  const [ended] = list.investigations;
  expect(ended).toMatchObject({ id: requestId, status: 'ended', endedBy: 'account:b.dsl' });
  expect(ended!.evidence).toHaveLength(2);
  const last = ended!.evidence.at(-1)!;
  expect(last.lookups).toBeGreaterThanOrEqual(1);
  const served = await fetch(`${admin.base}/api/incidents/${incidentId}/attachments/${last.attachmentId}`, { headers: { cookie: dsl.cookie } });
  expect(served.status).toBe(200);
  expect(served.headers.get('content-type')).toMatch(/^text\/csv/);
  const csv = Buffer.from(await served.arrayBuffer());
  expect(createHash('sha256').update(csv).digest('hex')).toBe(last.sha256);
  // A line per lookup under the header, the streaming name the iPad reached among them.
  const lines = csv.toString('utf8').trimEnd().split('\r\n');
  expect(lines).toHaveLength(last.lookups + 1);
  expect(lines.some((l) => l.includes(STREAMING_NAME) && l.includes(IPAD.address))).toBe(true);
  const incident = (await admin.call('GET', `/api/incidents/${incidentId}`, undefined, dsl)).json as Incident;
  expect(incident.attachments.map((a) => a.sha256)).toContain(last.sha256);
}, 60_000);
