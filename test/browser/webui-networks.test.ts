// The networks page in Chromium on a real daemon: a technician adds a network (an error beside the
// gateway's field first, everything typed kept), changes its addressing after the warning that
// every device on it moves, and removes it; adds a schedule with its windows and is told which
// policy keeps Lunchtime; makes a device group with its policy and puts a device in it; after
// each save `schoolgate config validate` passes on the saved file. A member of staff reads the
// same page with nothing to type into. Screenshots at desktop and phone widths go to
// tmp/screenshots/webui-networks-*.png.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { setUpSchoolWithRoles, type AdminApi, type ApiSession } from './support/admin-api.ts';
import { axeSerious, SHOTS, shot as webuiShot } from './support/webui.ts';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let tech: ApiSession;
let staff: ApiSession;

const IPAD = '02:00:00:00:00:2a';
const LAPTOP = '02:00:00:00:00:2b';

beforeAll(async () => {
  daemon = await startDaemonProcess(await testConfig({ address: '127.0.0.1', port: 9 }));
  // Two devices the gateway has seen, one with a lease, written beside the daemon as DHCP would.
  const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
  try {
    state.devices.upsertSeen(IPAD, 'pupil', new Date(Date.now() - 3_600_000));
    state.devices.upsertSeen(LAPTOP, 'pupil', new Date(Date.now() - 7_200_000));
    state.leases.bind({
      networkId: 'pupil', address: '10.20.0.77', clientKey: `mac:${IPAD}`, mac: IPAD, clientId: null, hostname: 'ipad-12',
      vendorClass: '', parameters: [1, 3, 6], relayAgent: null, relayInfo: null, state: 'bound',
      expires: new Date(Date.now() + 3_600_000).toISOString(), updated: new Date().toISOString(),
    });
  } finally {
    state.close();
  }
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  ({ admin, tech, staff } = await setUpSchoolWithRoles(daemon, { tech: ['c.tech', 'technician'], staff: ['d.staff', 'staff'] }));
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

/** The configuration file as the daemon saved it passes the same checks `schoolgate config validate` runs. */
const shot = (page: Page, name: string): Promise<void> => webuiShot(page, `networks-${name}`);

async function validates(): Promise<void> {
  const r = await daemon.cli(['config', 'validate', daemon.configFile]);
  expect(r.code, r.stderr).toBe(0);
}

it('a technician adds a network, changes its addressing after a warning, and removes it', async () => {
  const { page, cspViolations } = await admin.openAs(browser, tech, '/networks', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: 'Networks' }).waitFor();
    await page.getByRole('button', { name: 'Add a network' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Add a network' }) });
    await form.getByLabel(/Short name/).fill('library');
    await form.getByLabel('Name', { exact: true }).fill('Library');
    await form.getByLabel('Kind').selectOption('pupil');
    await form.getByLabel(/Wi-Fi name/).fill('StMarys-Library');
    await form.getByLabel(/Interface/).fill('lo');
    await form.getByLabel(/VLAN id/).fill('40');
    await form.getByLabel(/Subnets/).fill('127.40.0.0/16');
    await form.getByLabel(/Gateway's IPv4/).fill('127.41.0.1');
    await form.getByLabel('First address').fill('127.40.1.0');
    await form.getByLabel('Last address').fill('127.40.1.255');
    await form.getByRole('button', { name: 'Add the network' }).click();
    await page.locator('#f-gateway-ipv4-error').waitFor();
    expect(await page.locator('#f-gateway-ipv4-error').innerText()).toMatch(/127\.41\.0\.1/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-gateway-ipv4');
    expect(await form.getByLabel(/Wi-Fi name/).inputValue()).toBe('StMarys-Library');
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'add-error-desktop');
    await form.getByLabel(/Gateway's IPv4/).fill('127.40.0.1');
    await form.getByRole('button', { name: 'Add the network' }).click();
    await page.getByText('Added Library: the gateway serves it from now on.').waitFor();
    let view = (await admin.call('GET', '/api/networks', undefined, tech)).json;
    expect(view.networks.find((n: { id: string }) => n.id === 'library')).toMatchObject({ interface: 'lo', vlan: 40, subnets: ['127.40.0.0/16'], gateway: { ipv4: '127.40.0.1' } });
    await validates();

    // New addressing: the warning first; cancelling it saves nothing, confirming saves.
    await page.getByRole('button', { name: 'Change Library' }).click();
    const edit = page.locator('form', { has: page.getByRole('heading', { name: 'Change Library' }) });
    await edit.getByLabel(/Subnets/).fill('127.42.0.0/16');
    await edit.getByLabel(/Gateway's IPv4/).fill('127.42.0.1');
    await edit.getByLabel('First address').fill('127.42.1.0');
    await edit.getByLabel('Last address').fill('127.42.1.99');
    await edit.getByRole('button', { name: 'Save Library' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the addressing of Library?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/Every device on this network moves/);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'addressing-warning-desktop');
    await dialog.getByRole('button', { name: 'Change the addressing' }).click();
    await edit.getByText('Saved: the gateway uses it from now on.').waitFor();
    view = (await admin.call('GET', '/api/networks', undefined, tech)).json;
    expect(view.networks.find((n: { id: string }) => n.id === 'library')).toMatchObject({ subnets: ['127.42.0.0/16'], gateway: { ipv4: '127.42.0.1' }, dhcp: { pools: [{ first: '127.42.1.0', last: '127.42.1.99' }] } });
    await validates();
    await shot(page, 'networks-desktop');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'networks-phone');
    await page.locator('form.network-form').screenshot({ path: join(SHOTS, 'webui-networks-form-phone.png') });
    await page.setViewportSize(DESKTOP);

    await page.getByRole('button', { name: 'Remove Library' }).click();
    await page.getByRole('dialog', { name: 'Remove Library?' }).getByRole('button', { name: 'Remove Library' }).click();
    await page.getByText('Removed Library.').waitFor();
    view = (await admin.call('GET', '/api/networks', undefined, tech)).json;
    expect(view.networks.map((n: { id: string }) => n.id)).not.toContain('library');
    await validates();
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
});

it('a technician adds a schedule with its windows, and cannot remove one a policy uses', async () => {
  const { page } = await admin.openAs(browser, tech, '/networks', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: 'Schedules and term dates' }).waitFor();
    const n = daemon.config.schedules.length;
    await page.getByRole('button', { name: 'Add a schedule' }).click();
    await page.locator(`#f-schedules-${n}-name`).fill('After-school clubs');
    const days = page.locator(`#f-schedules-${n}-windows-0-days`);
    for (const d of ['Tue', 'Thu', 'Fri']) await days.getByLabel(d).uncheck();
    await page.locator(`#f-schedules-${n}-windows-0-from`).fill('17:00');
    await page.locator(`#f-schedules-${n}-windows-0-to`).fill('15:30');
    await page.getByRole('button', { name: 'Save schedules and terms' }).click();
    await page.locator(`#f-schedules-${n}-windows-0-to-error`).waitFor();
    expect(await page.locator(`#f-schedules-${n}-windows-0-to-error`).innerText()).toMatch(/later than "from"/);
    expect(await page.locator(`#f-schedules-${n}-name`).inputValue()).toBe('After-school clubs');
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'schedule-error-desktop');
    await page.locator(`#f-schedules-${n}-windows-0-from`).fill('15:30');
    await page.locator(`#f-schedules-${n}-windows-0-to`).fill('17:00');
    await page.getByRole('button', { name: 'Save schedules and terms' }).click();
    await page.getByText('Saved: the schedules follow the term dates from now on.').waitFor();
    const view = (await admin.call('GET', '/api/networks', undefined, tech)).json;
    expect(view.schedules.at(-1)).toEqual({ id: 'after-school-clubs', name: 'After-school clubs', windows: [{ days: ['mon', 'wed'], from: '15:30', to: '17:00' }] });
    await validates();

    await page.getByRole('button', { name: 'Remove Lunchtime' }).click();
    await page.getByRole('button', { name: 'Save schedules and terms' }).click();
    await page.locator('#schedules-error').waitFor();
    expect(await page.locator('#schedules-error').innerText()).toMatch(/"Lunchtime" is used by policy "[^"]+" \(\w+\)/);
    expect((await admin.call('GET', '/api/networks', undefined, tech)).json.schedules.map((s: { id: string }) => s.id)).toContain('lunchtime');
  } finally {
    await page.context().close();
  }
});

it('a technician makes a device group with its policy and puts a device in it; staff only read', async () => {
  const { page, cspViolations } = await admin.openAs(browser, tech, '/networks', DESKTOP);
  try {
    await page.getByRole('heading', { level: 2, name: 'Device groups' }).waitFor();
    await page.getByRole('button', { name: 'Add a group' }).click();
    await page.locator('#f-groups-0-name').fill('IT club');
    // The pupils' own policy: putting pupil devices in it reaches nothing more, so it saves at once.
    await page.locator('#f-groups-0-policy').selectOption({ label: daemon.config.policies.find((p) => p.id === 'pupil')?.name ?? daemon.config.policies[0]!.name });
    await page.getByRole('button', { name: 'Save the device groups' }).click();
    await page.getByText('Saved: the groups apply from now on.').waitFor();
    expect((await admin.call('GET', '/api/networks', undefined, tech)).json.deviceGroups).toEqual([{ id: 'it-club', name: 'IT club', policy: expect.any(String) }]);
    await validates();

    // The members' list follows the saved groups once the page has them again.
    await page.reload();
    await page.getByRole('heading', { level: 3, name: 'Members' }).waitFor();
    // A MAC the gateway has never seen: the reason beside the field, what was typed kept.
    await page.locator('#f-members-mac').fill('02:00:00:00:00:99');
    await page.getByRole('button', { name: 'Add to IT club' }).click();
    await page.locator('#f-members-mac-error').waitFor();
    expect(await page.locator('#f-members-mac-error').innerText()).toMatch(/02:00:00:00:00:99/);
    expect(await page.locator('#f-members-mac').inputValue()).toBe('02:00:00:00:00:99');
    await page.locator('#f-members-mac').fill(LAPTOP);
    await page.getByRole('button', { name: 'Add to IT club' }).click();
    await page.getByText(`Added ${LAPTOP} to IT club.`).waitFor();
    await page.locator('#f-members-pick').selectOption({ label: `ipad-12 (${IPAD}, 10.20.0.77)` });
    await page.getByRole('button', { name: 'Add to IT club' }).click();
    await page.getByText(`Added ${IPAD} to IT club.`).waitFor();
    await page.getByRole('button', { name: `Take ${LAPTOP} out of IT club` }).waitFor();
    const devices = (await admin.call('GET', '/api/devices', undefined, tech)).json;
    expect(devices.devices.filter((d: { groupId: string | null }) => d.groupId === 'it-club').map((d: { mac: string }) => d.mac).sort()).toEqual([IPAD, LAPTOP]);
    expect(devices.groups.map((g: { id: string }) => g.id)).toEqual(['it-club']);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'groups-desktop');
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'groups-phone');
    // The whole page at a phone's width is too long to read as one picture: the groups alone too.
    await page.locator('section[aria-labelledby="groups-h"]').screenshot({ path: join(SHOTS, 'webui-networks-groups-section-phone.png') });
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
  const read = await admin.openAs(browser, staff, '/networks', PHONE);
  try {
    await read.page.getByRole('heading', { level: 2, name: 'Device groups' }).waitFor();
    expect(await read.page.getByText(/IT club/).first().isVisible()).toBe(true);
    expect(await read.page.locator('main input').count()).toBe(0);
    expect(await read.page.getByRole('button', { name: /Add a network|Add a group|Add a schedule/ }).count()).toBe(0);
    expect(await axeSerious(read.page)).toEqual([]);
    await shot(read.page, 'staff-phone');
  } finally {
    await read.page.context().close();
  }
  expect((await admin.call('POST', '/api/networks', { id: 'x' }, staff)).status).toBe(403);
});

it('a technician renames the pupil network and gives it another policy: the name saves, the policy is sent for approval', async () => {
  const { page, cspViolations } = await admin.openAs(browser, tech, '/networks', DESKTOP);
  try {
    const pupil = daemon.config.networks.find((n) => n.id === 'pupil')!;
    const policyName = (id: string) => daemon.config.policies.find((p) => p.id === id)!.name;
    await page.getByRole('button', { name: `Change ${pupil.name}` }).click();
    const edit = page.locator('form', { has: page.getByRole('heading', { name: `Change ${pupil.name}` }) });
    await edit.getByLabel('Name', { exact: true }).fill('Pupils KS2');
    await edit.getByLabel('Policy').selectOption({ label: policyName('staff') });
    // The reason is asked for only now, and nothing is saved without it.
    await edit.getByRole('group', { name: 'Why this change' }).waitFor();
    await edit.getByRole('button', { name: `Save ${pupil.name} and send its policy for approval` }).click();
    await page.locator('#f-net-pupil-rationale-error').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-net-pupil-rationale');
    await edit.getByLabel('The reason').fill('Key stage 2 pupils research topics the pupil policy blocks.');
    await edit.getByLabel('Benefit against risk').fill('Supervised lessons only; the staff policy still blocks adult content.');
    await edit.screenshot({ path: '/tmp/sg/shots/networks-policy-why-form-1280.png' });
    await edit.getByRole('button', { name: `Save ${pupil.name} and send its policy for approval` }).click();
    const notice = edit.getByText(/sent for approval as change request \d+/);
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(/Everything else on the form is saved\./);
    const id = Number(/change request (\d+)/.exec(await notice.innerText())![1]);
    await edit.getByRole('link', { name: `See change request ${id}` }).waitFor();
    // The form shows the policy in force again; the table has the new name and the old policy.
    expect(await edit.getByLabel('Policy').inputValue()).toBe(pupil.policy);
    const view = (await admin.call('GET', '/api/networks', undefined, tech)).json;
    expect(view.networks.find((n: { id: string }) => n.id === 'pupil')).toMatchObject({ name: 'Pupils KS2', policy: pupil.policy });
    const change = (await admin.call('GET', `/api/changes/${id}`, undefined, tech)).json;
    expect(change.request.summary).toEqual([`The Pupils KS2 network: policy ${policyName(pupil.policy)} → ${policyName('staff')}`]);
    await validates();
    expect(await axeSerious(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/sg/shots/networks-policy-request-1280.png', fullPage: true });
    await edit.screenshot({ path: '/tmp/sg/shots/networks-policy-request-form-1280.png' });
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await edit.screenshot({ path: '/tmp/sg/shots/networks-policy-request-form-390.png' });
    // Peer-to-peer sharing let through is asked for too, in words; the form shows the block again.
    await edit.getByLabel('Peer-to-peer file sharing').selectOption('allow');
    const why = edit.getByRole('group', { name: 'Why this change' });
    expect(await why.innerText()).toMatch(/Letting peer-to-peer file sharing through on Pupils KS2 changes what is filtered/);
    await edit.getByLabel('The reason').fill('The computing club shares Linux images by BitTorrent.');
    await edit.getByLabel('Benefit against risk').fill('Club sessions only, supervised; the rest of the time it is asked to be blocked again.');
    await why.screenshot({ path: '/tmp/sg/shots/networks-p2p-why-390.png' });
    await edit.getByRole('button', { name: /and send the filtering change for approval$/ }).click();
    await edit.getByText(`sent for approval as change request ${id + 1}`, { exact: false }).waitFor();
    expect(await edit.getByLabel('Peer-to-peer file sharing').inputValue()).toBe('block');
    expect((await admin.call('GET', `/api/changes/${id + 1}`, undefined, tech)).json.request.summary).toEqual(['The Pupils KS2 network: peer-to-peer file sharing blocked → allowed']);
    await validates();
    expect(cspViolations).toEqual([]);
  } finally {
    await page.context().close();
  }
});
