// The incident log in Chromium, served by a real daemon: a pupil device's DNS question to a name on
// an illegal-content list opens an incident by itself (reported by the gateway), and a VPN lookup
// raises an alert from which the DSL opens one on the alerts page, then adds an investigation
// note, refers a task to the IT provider (which the technician marks done on their own page,
// without reading the log), attaches a screenshot (a text file named .png is refused beside the
// field), records the outcome and signs off. The incident prints like the paper log (Chromium's
// PDF, tmp/screenshots/incident.pdf), exports as HTML (encrypted, from the page's form) and JSON
// (from the API and the CLI), each sealed and opened with openExport with the screenshot's SHA-256, and
// reads the same in `schoolgate incidents show`. Each page at a desktop and a phone width, axe-core
// finding no serious or critical violation; screenshots in tmp/screenshots/webui-incident*.png.
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AlertListView } from '../../firmware/admin/api/alerts-schema.ts';
import type { Incident, IncidentExportView, IncidentListView } from '../../firmware/admin/api/incidents-schema.ts';
import { openExport } from '../../firmware/monitor/reports/export-seal.ts';
import { launchChromium } from '../support/browser.ts';
import { runCli, startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts';
import { setUpSchoolWithRoles, type AdminApi, type ApiSession } from './support/admin-api.ts';
import { axeSerious, SHOTS, shot } from './support/webui.ts';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const PUPIL = '127.20.0.5';
const PASSPHRASE = 'blue kettle on the windowsill';

let upstream: TestUpstream;
let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let dsl: ApiSession;
let tech: ApiSession;

async function ask(name: string, from: string): Promise<void> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((r) => socket.bind(0, from, r));
    const answered = new Promise<Buffer>((r) => socket.once('message', r));
    const { address, port } = daemon.config.dns.listen[0]!;
    socket.send(dnsPacket.encode({ type: 'query', id: 1 + Math.floor(Math.random() * 65000), flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, address);
    await answered;
  } finally {
    socket.close();
  }
}

beforeAll(async () => {
  upstream = await startTestUpstream('192.0.2.77');
  daemon = await startDaemonProcess(await testConfig(upstream));
  ({ admin, dsl, tech } = await setUpSchoolWithRoles(daemon, { dsl: 'setup-dsl', tech: ['tess.tech', 'technician'] }));
  // An illegal-content list as the filtering provider supplies one (hashed names), then a pupil
  // device meets it and looks up a VPN.
  const hashed = createHash('sha256').update('hidden.example').digest('hex');
  const imported = await admin.call('POST', '/api/lists/import', { text: `${hashed}\n`, fileName: 'ctiru.txt', category: 'extremism', format: 'sha256', restricted: true, name: 'CTIRU (test)' }, tech);
  expect(imported.status, JSON.stringify(imported.json)).toBe(200);
  await ask('hidden.example', PUPIL);
  await ask('nordvpn.com', PUPIL);
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
  await upstream?.close();
});

async function noSidewaysScroll(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

it('opens an incident by itself for the restricted list, reported by the gateway, and only one', async () => {
  let list: IncidentListView | undefined;
  await expect.poll(async () => {
    list = (await admin.call('GET', '/api/incidents', undefined, dsl)).json as IncidentListView;
    return list.incidents.length;
  }, { timeout: 20_000, interval: 250 }).toBe(1);
  expect(list!.incidents[0]).toMatchObject({ source: 'alert', status: 'open', reportedBy: 'system' });
  const incident = (await admin.call('GET', `/api/incidents/${list!.incidents[0]!.id}`, undefined, dsl)).json as Incident;
  expect(incident.alert).toMatchObject({ kind: 'dns.restricted', severity: 'critical', subject: '(restricted)' });
  // Opening it again from its alert leads to the same incident.
  const again = await admin.call('POST', '/api/incidents', { fromAlert: incident.alert!.id }, dsl);
  expect(again.json).toMatchObject({ created: false, incident: { id: incident.id } });
  // The technician reads none of the log.
  expect((await admin.call('GET', `/api/incidents/${incident.id}`, undefined, tech)).status).toBe(403);
}, 60_000);

it('the DSL opens an incident from an alert and works it through to sign-off; the technician closes the IT task; it prints and exports', async () => {
  let alertId = 0;
  await expect.poll(async () => {
    const alerts = (await admin.call('GET', '/api/alerts', undefined, dsl)).json as AlertListView;
    alertId = alerts.alerts.find((a) => a.kind !== 'dns.restricted')?.id ?? 0;
    return alertId;
  }, { timeout: 20_000, interval: 250 }).toBeGreaterThan(0);

  const { page } = await admin.openAs(browser, dsl, '/alerts', DESKTOP);
  // The restricted-list alert leads to the incident it opened; the others offer to open one.
  const restricted = page.locator('li.alert-card', { hasText: 'restricted list (illegal content)' });
  await restricted.getByText(/Incident \d+ was opened from this alert/).waitFor();
  expect(await restricted.getByRole('link', { name: /Open an incident/ }).count()).toBe(0);
  expect(await axeSerious(page)).toEqual([]);
  await shot(page, 'incident-alerts-desktop');
  await page.getByRole('link', { name: `Open an incident from alert #${alertId}` }).click();
  await page.getByRole('heading', { level: 1, name: 'Open an incident' }).waitFor();
  expect(await axeSerious(page)).toEqual([]);
  await page.getByLabel(/People involved/).fill('Pupil ref 4471 (Year 5)');
  await shot(page, 'incident-open-desktop');
  await page.getByRole('button', { name: 'Open the incident' }).click();
  await page.getByRole('heading', { level: 1, name: 'Incident' }).waitFor();
  await page.getByText(/Incident \d+ was opened/).waitFor();
  const id = Number(new URL(page.url()).searchParams.get('id'));
  expect(id).toBeGreaterThan(0);

  await page.getByLabel('What was found out, and from whom').fill('The pupil said a friend showed them how to use the VPN app at lunch.');
  await page.getByRole('button', { name: 'Add the note' }).click();
  await page.getByText('The note was added.').waitFor();

  await page.getByLabel('What was done, or is to be done').fill('Check why the VPN app reached the internet on the pupil network');
  await page.getByLabel(/Refer to technical support/).check();
  await page.getByRole('button', { name: 'Add the action' }).click();
  await page.getByText('The task for the IT provider was added.').waitFor();

  // A text file named .png is refused beside the field, and nothing is added.
  await page.getByLabel('What it shows').fill('The VPN app on the pupil device');
  await page.locator('#f-attach-file').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture') });
  await page.getByRole('button', { name: 'Attach' }).click();
  await page.locator('#f-attach-file-error').getByText(/only a PNG or JPEG/).waitFor();
  // A screenshot as a member of staff would take one: here drawn by the browser and saved as a PNG.
  const screenshot = Buffer.from((await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#e8eef4';
    g.fillRect(0, 0, 640, 360);
    g.fillStyle = '#16324f';
    g.font = 'bold 32px sans-serif';
    g.fillText('FreeVPN: connected', 40, 170);
    g.font = '20px sans-serif';
    g.fillText('Your traffic is hidden from your network', 40, 215);
    return canvas.toDataURL('image/png');
  })).replace(/^data:image\/png;base64,/, ''), 'base64');
  await page.locator('#f-attach-file').setInputFiles({ name: 'vpn-app.png', mimeType: 'image/png', buffer: screenshot });
  await page.getByRole('button', { name: 'Attach' }).click();
  await page.getByText('The screenshot was attached.').waitFor();
  const sha256 = createHash('sha256').update(screenshot).digest('hex');
  await page.getByText(sha256).waitFor();
  // The image loads lazily, when it comes near the screen: as the DSL scrolls up to look at it.
  await page.locator('.attachment img').scrollIntoViewIfNeeded();
  await expect.poll(() => page.locator('.attachment img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(640);

  // Sign-off waits for the outcome and the IT provider's task.
  await page.getByRole('button', { name: `Sign off incident ${id}` }).click();
  await page.locator('#f-sign-note-error').getByText(/outcome before signing off/).waitFor();

  // The technician's page: the task and its incident's number, marked done with what was done.
  const techPage = (await admin.openAs(browser, tech, '/incidents/tasks', PHONE)).page;
  const task = techPage.locator('li', { hasText: 'Check why the VPN app reached the internet' });
  await task.waitFor();
  expect(await axeSerious(techPage)).toEqual([]);
  await noSidewaysScroll(techPage);
  await shot(techPage, 'incident-tasks-phone');
  await task.getByLabel('What was done').fill('Added the VPN provider to the bypass list; it is refused now');
  await task.getByRole('button', { name: 'Mark done' }).click();
  await techPage.getByText(`The task for incident ${id} was marked done.`).waitFor();
  await techPage.getByText('No open tasks for the IT provider.').waitFor();
  await techPage.context().close();

  await page.reload();
  await page.getByText(/Task for the IT provider: done/).waitFor();
  await page.getByLabel('How it ended').selectOption('internal-action');
  await page.getByRole('button', { name: 'Record the outcome' }).click();
  await page.getByText('The outcome was recorded.').waitFor();
  await page.getByRole('button', { name: `Sign off incident ${id}` }).click();
  await page.getByText(`Incident ${id} was signed off and closed.`).waitFor();
  await page.getByText('Closed: signed off').waitFor();
  expect(await axeSerious(page)).toEqual([]);
  await shot(page, 'incident-desktop');

  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: join(SHOTS, 'incident.pdf'), format: 'A4', printBackground: true });
  await shot(page, 'incident-print');
  await page.emulateMedia({ media: 'screen' });

  // The export: sealed on the gateway, encrypted with a passphrase typed twice, downloaded.
  const exportForm = page.getByRole('form', { name: 'Export this incident' });
  await exportForm.locator('#f-export-passphrase').fill('short');
  await exportForm.locator('#f-export-passphrase-again').fill('short');
  await exportForm.getByRole('button', { name: 'Export and download' }).click();
  await page.locator('#f-export-passphrase-error').getByText(/At least 10 characters/).waitFor();
  await exportForm.locator('#f-export-passphrase').fill(PASSPHRASE);
  await exportForm.locator('#f-export-passphrase-again').fill(PASSPHRASE);
  const [download] = await Promise.all([page.waitForEvent('download'), exportForm.getByRole('button', { name: 'Export and download' }).click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^incident-${id}-\\d{4}-\\d{2}-\\d{2}\\.html\\.sgexport$`));
  const sealed = await readFile((await download.path())!);
  expect(() => openExport(sealed, 'not the passphrase')).toThrow(/passphrase is wrong/);
  const openedHtml = openExport(sealed, PASSPHRASE);
  expect(openedHtml.header).toMatchObject({ exportedBy: 'account:b.dsl', mediaType: 'text/html; charset=utf-8', auditHead: { verified: true } });
  const html = openedHtml.body.toString('utf8');
  expect(html).toContain(sha256);
  expect(html).toContain(`data:image/png;base64,${screenshot.toString('base64')}`);
  await page.getByText(/Downloaded incident-\d+-.*\.html\.sgexport, encrypted/).waitFor();
  expect(await axeSerious(page)).toEqual([]);
  await shot(page, 'incident-export-desktop');
  await page.context().close();

  const phone = (await admin.openAs(browser, dsl, `/incidents/incident?id=${id}`, PHONE)).page;
  await phone.getByText('Closed: signed off').waitFor();
  expect(await axeSerious(phone)).toEqual([]);
  await noSidewaysScroll(phone);
  await shot(phone, 'incident-phone');
  await phone.goto(`${admin.base}/incidents`);
  await phone.getByRole('link', { name: `Incident ${id}` }).waitFor();
  expect(await axeSerious(phone)).toEqual([]);
  await noSidewaysScroll(phone);
  await shot(phone, 'incidents-phone');
  await phone.context().close();

  const incident = (await admin.call('GET', `/api/incidents/${id}`, undefined, dsl)).json as Incident;
  expect(incident).toMatchObject({ status: 'closed', people: 'Pupil ref 4471 (Year 5)', outcome: { outcome: 'internal-action', by: 'account:b.dsl' }, signOff: { by: 'account:b.dsl' }, openTasks: 0 });
  expect(incident.actions[0]!.task).toMatchObject({ status: 'done', doneBy: 'account:tess.tech' });
  expect(incident.timeline.map((e) => e.kind)).toEqual(['opened', 'note', 'action', 'attachment', 'task-done', 'outcome', 'sign-off']);

  // The JSON export through the API unencrypted, and the CLI's with a passphrase file: both sealed, both audited with the content's hash.
  const plain = (await admin.call('POST', `/api/incidents/${id}/export`, { format: 'json' }, dsl)).json as IncidentExportView;
  const openedJson = openExport(Buffer.from(plain.bodyBase64, 'base64'));
  expect(JSON.parse(openedJson.body.toString('utf8')).incident.attachments[0].sha256).toBe(sha256);
  expect((await fetch(`${admin.base}/api/incidents/${id}/export?format=html`, { headers: { cookie: dsl.cookie } })).status).toBe(404);
  const dir = await mkdtemp(join(tmpdir(), 'schoolgate-incident-export-'));
  await writeFile(join(dir, 'passphrase'), `${PASSPHRASE}\n`);
  const cliExport = await daemon.cli(['incidents', 'export', String(id), '--format', 'json', '--passphrase-file', join(dir, 'passphrase'), '--out', join(dir, 'incident.sgexport')]);
  expect(cliExport.stdout).toMatch(/encrypted, sealed; content SHA-256 [0-9a-f]{64}/);
  // `export open` reads a file and needs no daemon (nor its --data-dir).
  const cliOpened = await runCli(['export', 'open', join(dir, 'incident.sgexport'), '--passphrase-file', join(dir, 'passphrase'), '--out', join(dir, 'incident.json')]);
  expect(cliOpened.code, cliOpened.stderr).toBe(0);
  expect(JSON.parse(await readFile(join(dir, 'incident.json'), 'utf8')).incident.id).toBe(id);
  const audited = (JSON.parse((await daemon.cli(['audit', '--action', 'incident.export', '--json'])).stdout) as { entries: { actor: string; details: { contentSha256: string; encrypted: boolean } }[] }).entries;
  expect(audited.map((e) => [e.actor, e.details.contentSha256, e.details.encrypted])).toEqual([
    ['account:b.dsl', openedHtml.header.contentSha256, true], ['account:b.dsl', plain.contentSha256, false], [expect.stringMatching(/^ssh:/), expect.stringMatching(/^[0-9a-f]{64}$/), true],
  ]);
  const served = await fetch(`${admin.base}/api/incidents/${id}/attachments/${incident.attachments[0]!.entry}`, { headers: { cookie: dsl.cookie } });
  expect(served.headers.get('content-type')).toBe('image/png');
  expect(served.headers.get('x-content-type-options')).toBe('nosniff');
  expect(createHash('sha256').update(Buffer.from(await served.arrayBuffer())).digest('hex')).toBe(sha256);
  expect((await fetch(`${admin.base}/api/incidents/${id}/attachments/${incident.attachments[0]!.entry}`, { headers: { cookie: tech.cookie } })).status).toBe(403);

  // Nothing removes an incident: there is no such route, and the CLI reads the same record.
  expect((await admin.call('DELETE', `/api/incidents/${id}`, undefined, dsl)).status).toBe(404);
  const shown = await daemon.cli(['incidents', 'show', String(id)]);
  expect(shown.stdout).toContain(`Incident ${id} (closed: signed off)`);
  expect(shown.stdout).toContain('Pupil ref 4471 (Year 5)');
  expect(shown.stdout).toMatch(/done by account:tess\.tech/);
}, 180_000);
