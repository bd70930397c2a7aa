// The incident service on a real state.db (in memory), the real alert service and attachments in a
// temporary data directory: critical restricted-list and upstream-provider alerts open one incident
// each by themselves (a burst or a second opening never a second), other alerts do not; opening
// from a report; every entry audited; attachments checked by their bytes, stored by hash, refused
// whole; the control methods' failures; the export with the attachments' hashes.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlFailure, ControlServer } from '../../../../firmware/control/server.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import type { AlertCandidate } from '../../../../firmware/monitor/alerts/alert-schema.ts';
import { AlertService } from '../../../../firmware/monitor/alerts/alert-service.ts';
import { checkAttachment, sniffImage } from '../../../../firmware/monitor/incidents/attachment-check.ts';
import { AttachmentStore } from '../../../../firmware/monitor/incidents/attachment-store.ts';
import { registerIncidentMethods } from '../../../../firmware/monitor/incidents/incident-methods.ts';
import { IncidentService } from '../../../../firmware/monitor/incidents/incident-service.ts';
import { openExport, SEALED_MEDIA_TYPE, SealError } from '../../../../firmware/monitor/reports/export-seal.ts';
import type { Incident } from '../../../../firmware/monitor/incidents/incident-schema.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';
import { InvalidInputError } from '../../../../firmware/state/values.ts';

const START = Date.UTC(2026, 11, 7, 9, 0);
const MAC = '3c:22:fb:01:a2:9e';
// The first bytes of real PNG and JPEG files, then some body.
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR and the rest of a tiny screenshot')]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF body')]);

const dirs: string[] = [];
let state: StateDatabase | undefined;
afterEach(() => {
  state?.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'schoolgate-incidents-'));
  dirs.push(dataDir);
  let now = START;
  state = StateDatabase.open(':memory:', { now: () => new Date(now) });
  const db = state;
  const reviewDue: string[] = [];
  const incidents = new IncidentService({
    incidents: db.incidents, alerts: db.alerts, reports: db.siteReports, attachments: new AttachmentStore(dataDir), audit: db.audit,
    transaction: (fn) => db.transaction(fn), now: () => new Date(now), logger: silentLogger(),
    site: () => ({ name: 'Hill Top Primary <School>', timezone: 'Europe/London' }), scrypt: { N: 16_384, r: 8, p: 1 }, reviewDue: (reason, detail) => reviewDue.push(`${reason}: ${detail}`),
  });
  const alerts = new AlertService({
    alerts: db.alerts, delivery: null, config: () => undefined, now: () => new Date(now), logger: silentLogger(),
    transaction: (fn) => db.transaction(fn), onCreated: (alert) => incidents.alertStored(alert),
  });
  return { state: db, incidents, alerts, reviewDue, dataDir, advance: (minutes: number) => { now += minutes * 60_000; } };
}

function candidate(over: Partial<AlertCandidate> = {}): AlertCandidate {
  return {
    kind: 'dns.restricted', severity: 'critical', at: new Date(START).toISOString(), networkId: 'pupil', mac: MAC, address: '10.20.0.5',
    subject: '(restricted)', reason: 'a name on the restricted (illegal content) list "iwf" was looked up and blocked; the entry is never shown', category: 'restricted',
    details: { list: 'iwf' }, ...over,
  };
}

describe('incidents opened by themselves', () => {
  it('opens one incident, reported by system, for each critical restricted-list or upstream-provider alert, even in a burst', () => {
    const { state, alerts, reviewDue } = setup();
    alerts.raiseAll([candidate(), candidate(), candidate({ details: { list: 'upstream' }, reason: "the school's filtering provider blocked a name (upstream); its block lists are never shown", mac: '3c:22:fb:01:a2:9f' })]);
    const opened = state.incidents.list();
    expect(opened).toHaveLength(2);
    const first = state.incidents.byAlert(1)!;
    expect(first).toMatchObject({ source: 'alert', openedBy: 'system', reportedBy: 'system', occurredAt: new Date(START).toISOString(), alert: { id: 1, kind: 'dns.restricted', severity: 'critical', mac: MAC, count: 1, subject: '(restricted)' } });
    // The facts as they were when it opened; the burst's second question only grew the alert.
    expect(state.alerts.get(1).count).toBe(2);
    expect(first.what).toMatch(/restricted \(illegal content\) list "iwf"/);
    expect(state.incidents.byAlert(2)?.alert?.reason).toMatch(/filtering provider blocked/);
    expect(reviewDue).toEqual(['incident: incident 1 opened (from alert 1)', 'incident: incident 2 opened (from alert 2)']);
    expect(state.audit.list({}).filter((e) => e.action === 'incident.open').map((e) => e.actor)).toEqual(['system', 'system']);
  });

  it('opens none for other alerts, critical or not', () => {
    const { state, alerts } = setup();
    alerts.raise(candidate({ kind: 'dns.keyword', severity: 'critical', subject: 'x.test', category: 'self-harm' }));
    alerts.raise(candidate({ kind: 'dns.restricted', severity: 'high' }));
    expect(state.alerts.count()).toBe(2);
    expect(state.incidents.count()).toBe(0);
  });

  it('returns the alert\'s incident when someone opens it again by hand', () => {
    const { state, alerts, incidents } = setup();
    const { alert } = alerts.raise(candidate());
    const again = incidents.openFromAlert(alert.id, 'account:head', { what: 'a second opening' });
    expect(again.created).toBe(false);
    expect(again.incident.openedBy).toBe('system');
    expect(state.incidents.count()).toBe(1);
  });
});

describe('opening and recording', () => {
  it('opens from a block-page report with its facts, and from an alert that carries a report both are linked', () => {
    const { state, incidents } = setup();
    const report = state.siteReports.addReport({
      at: '2026-12-07T09:00:05.000Z', blockedAt: '2026-12-07T09:00:00.000Z', networkId: 'pupil', mac: MAC, address: '10.20.0.5',
      name: 'scary.test', category: 'violence', verdict: 'blocked', kind: 'should-be-blocked', comment: 'this frightened me',
    });
    const { incident } = incidents.openFromReport(report.id, 'account:osl');
    expect(incident).toMatchObject({ source: 'report', reportId: report.id, occurredAt: report.blockedAt, reportedBy: 'account:osl', report: { name: 'scary.test', comment: 'this frightened me' } });
    expect(incident.what).toBe('Reported from the block page: scary.test should be blocked. "this frightened me"');
    const { alert } = state.alerts.record({ ...candidate(), kind: 'report.site', severity: 'medium', details: { reportId: report.id } }, new Date(0));
    const fromAlert = incidents.openFromAlert(alert.id, 'account:osl').incident;
    expect(fromAlert).toMatchObject({ source: 'alert', alertId: alert.id, reportId: report.id, report: { id: report.id } });
    expect(() => incidents.openFromReport(99, 'account:osl')).toThrow(/no site report 99/);
  });

  it('audits every entry by kind without its text (the audit log is read more widely than the incident log)', () => {
    const { state, incidents } = setup();
    const incident = incidents.openByHand('account:head', { what: 'Pupil ref 2291 showed a friend a video', people: 'Pupil ref 2291' });
    incidents.note(incident.id, 'account:dsl', 'Pupil ref 2291 said it came from a group chat');
    const actions = incidents.action(incident.id, 'account:dsl', { what: 'Refer to technical support', by: 'IT provider', itProvider: true }).actions;
    incidents.done(incident.id, actions[0]!.entry, 'account:tech', 'blocked the site');
    incidents.outcome(incident.id, 'account:dsl', 'internal-action');
    incidents.signOff(incident.id, 'account:head');
    const audited = state.audit.list({}).filter((e) => e.subject === `incident ${incident.id}`);
    expect(audited.map((e) => [e.actor, e.action])).toEqual([
      ['account:head', 'incident.open'], ['account:dsl', 'incident.note'], ['account:dsl', 'incident.action'], ['account:tech', 'incident.task-done'],
      ['account:dsl', 'incident.outcome'], ['account:head', 'incident.sign-off'],
    ]);
    expect(JSON.stringify(audited)).not.toContain('2291');
  });
});

describe('attachments', () => {
  it('knows PNG and JPEG by their bytes, whatever the name says, and refuses the rest, empty and oversized files', () => {
    expect(sniffImage(PNG)).toBe('image/png');
    expect(sniffImage(JPEG)).toBe('image/jpeg');
    expect(checkAttachment(JPEG, 'shot.png')).toMatchObject({ mediaType: 'image/jpeg', bytes: JPEG.length, fileName: 'shot.png' });
    expect(checkAttachment(PNG, 'C:\\Users\\dsl\\"evil"\r\nname.png').fileName).toBe('evilname.png');
    expect(() => checkAttachment(Buffer.from('<svg onload=alert(1)>'), 'shot.png')).toThrow(/only a PNG or JPEG/);
    expect(() => checkAttachment(Buffer.from('GIF89a...'), 'shot.gif')).toThrow(InvalidInputError);
    expect(() => checkAttachment(Buffer.alloc(0), 'shot.png')).toThrow(/empty/);
    expect(() => checkAttachment(Buffer.concat([PNG, Buffer.alloc(8 * 1024 * 1024)]), 'big.png')).toThrow(/at most 8 MB/);
  });

  it('stores a file under the data directory by its SHA-256, records the hash, serves it back; a bad file changes nothing', async () => {
    const { state, incidents, dataDir } = setup();
    const incident = incidents.openByHand('account:head', { what: 'Screenshot of a message' });
    await expect(incidents.attach(incident.id, 'account:dsl', { description: 'the message', fileName: 'x.png', data: Buffer.from('not an image') })).rejects.toThrow(/only a PNG or JPEG/);
    await expect(incidents.attach(incident.id, 'account:dsl', { description: ' ', fileName: 'x.png', data: PNG })).rejects.toThrow(/what the attachment shows/);
    expect(state.incidents.get(incident.id).timeline).toHaveLength(1);
    expect(readdirSync(dataDir)).toEqual([]);

    const attached = await incidents.attach(incident.id, 'account:dsl', { description: 'the message', fileName: 'message.png', data: PNG });
    const [attachment] = attached.attachments;
    expect(attachment).toMatchObject({ description: 'the message', fileName: 'message.png', mediaType: 'image/png', bytes: PNG.length, sha256: checkAttachment(PNG, 'x').sha256, by: 'account:dsl' });
    expect(readdirSync(join(dataDir, 'incidents', 'attachments'))).toEqual([`${attachment!.sha256}.png`]);
    const back = await incidents.attachment(incident.id, attachment!.entry);
    expect(back.data.equals(PNG)).toBe(true);

    // A file changed on disk is not served as the evidence it claims to be.
    writeFileSync(join(dataDir, 'incidents', 'attachments', `${attachment!.sha256}.png`), JPEG);
    await expect(incidents.attachment(incident.id, attachment!.entry)).rejects.toThrow(/no longer has the hash/);
  });
});

describe('control methods and export', () => {
  it('answer the log\'s refusals with a code the page and the CLI show, and change nothing', async () => {
    const { state, incidents } = setup();
    const control = new ControlServer(silentLogger());
    registerIncidentMethods(control, incidents);
    const caller = { user: 'root', sudoUser: 'tess' };
    const { incident } = await control.invoke('incidents.open', { what: 'Found a proxy site in a pupil\'s history', people: '' }, caller) as { incident: Incident };
    expect(incident.openedBy).toBe('ssh:tess');
    await expect(control.invoke('incidents.sign-off', { id: incident.id }, caller)).rejects.toMatchObject({ code: 'incident-state' });
    await expect(control.invoke('incidents.note', { id: 42, text: 'x' }, caller)).rejects.toMatchObject({ code: 'unknown-incident' });
    await expect(control.invoke('incidents.note', { id: incident.id, text: '' }, caller)).rejects.toBeInstanceOf(ControlFailure);
    await expect(control.invoke('incidents.open', {}, caller)).rejects.toMatchObject({ code: 'invalid-input' });
    expect(state.incidents.get(incident.id).timeline).toHaveLength(1);
    expect(state.incidents.count()).toBe(1);
  });

  it('exports one incident as self-contained HTML (text escaped, screenshots embedded with their hashes) and as JSON, sealed with the audit head and audited with the content\'s hash', async () => {
    const { state, incidents } = setup();
    const incident = incidents.openByHand('account:head', { what: 'A <script>alert(1)</script> message', people: 'Pupil ref 7' });
    const attached = await incidents.attach(incident.id, 'account:dsl', { description: 'the message', fileName: 'message.png', data: PNG });
    const sha = attached.attachments[0]!.sha256;
    const headBefore = state.audit.verify();
    const sealedHtml = await incidents.export(incident.id, 'html', 'account:dsl');
    expect(sealedHtml).toMatchObject({ fileName: 'incident-1-2026-12-07.html.sgexport', mediaType: SEALED_MEDIA_TYPE, encrypted: false, entries: 2 });
    const html = openExport(sealedHtml.body);
    expect(html).toMatchObject({ fileName: 'incident-1-2026-12-07.html', mediaType: 'text/html; charset=utf-8' });
    expect(html.header).toMatchObject({ exportedBy: 'account:dsl', contentSha256: sealedHtml.contentSha256, auditHead: { verified: true, seq: headBefore.ok ? headBefore.entries : -1 } });
    const text = html.body.toString('utf8');
    expect(text).not.toContain('<script>');
    expect(text).toContain('A &#60;script&#62;alert(1)&#60;/script&#62; message');
    expect(text).toContain('Hill Top Primary &#60;School&#62;');
    expect(text).toContain(sha);
    expect(text).toContain(`data:image/png;base64,${PNG.toString('base64')}`);

    const sealedJson = await incidents.export(incident.id, 'json', 'account:dsl', 'correct horse battery');
    expect(sealedJson.encrypted).toBe(true);
    expect(sealedJson.body.toString('utf8')).not.toContain('Pupil ref 7');
    expect(() => openExport(sealedJson.body)).toThrow(SealError);
    expect(() => openExport(sealedJson.body, 'wrong horse battery')).toThrow(/passphrase is wrong/);
    const json = openExport(sealedJson.body, 'correct horse battery');
    expect(json.mediaType).toBe('application/json');
    expect(JSON.parse(json.body.toString('utf8'))).toMatchObject({ exportedBy: 'account:dsl', incident: { id: incident.id, people: 'Pupil ref 7', attachments: [{ sha256: sha }] } });

    const audited = state.audit.list({}).filter((e) => e.action === 'incident.export');
    expect(audited.map((e) => e.details)).toEqual([
      { format: 'html', entries: 2, attachments: 1, fileName: 'incident-1-2026-12-07.html', contentSha256: sealedHtml.contentSha256, encrypted: false, sealedAtSeq: html.header.auditHead.seq },
      { format: 'json', entries: 2, attachments: 1, fileName: 'incident-1-2026-12-07.json', contentSha256: sealedJson.contentSha256, encrypted: true, sealedAtSeq: json.header.auditHead.seq },
    ]);
    // The seal vouches for the log up to the entry before the export's own.
    expect(audited[0]!.seq).toBe(html.header.auditHead.seq + 1);
  });

  it('refuses a short passphrase through the control method, exporting and auditing nothing', async () => {
    const { state, incidents } = setup();
    const control = new ControlServer(silentLogger());
    registerIncidentMethods(control, incidents);
    const incident = incidents.openByHand('account:head', { what: 'A message' });
    await expect(control.invoke('incidents.export', { id: incident.id, format: 'html', passphrase: 'short' }, { user: 'root', sudoUser: 'tess' }))
      .rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/at least 10 characters/) });
    expect(state.audit.list({}).filter((e) => e.action === 'incident.export')).toEqual([]);
    const made = await control.invoke('incidents.export', { id: incident.id, format: 'json' }, { user: 'root', sudoUser: 'tess' }) as { bodyBase64: string; contentSha256: string };
    expect(openExport(Buffer.from(made.bodyBase64, 'base64')).header.contentSha256).toBe(made.contentSha256);
    expect(state.audit.list({}).filter((e) => e.action === 'incident.export').map((e) => e.actor)).toEqual(['ssh:tess']);
  });
});
