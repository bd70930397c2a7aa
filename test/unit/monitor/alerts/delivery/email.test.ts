// E-mail alerts received by a real SMTP server (smtp-server) on 127.0.0.1.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alerts } from '../../../../../firmware/config/alerts-schema.ts';
import { defaultConfig } from '../../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../../firmware/config/schema.ts';
import { AlertSender, type SenderSettings } from '../../../../../firmware/monitor/alerts/delivery/sender.ts';
import { alert, LINKABLE } from './fixtures.ts';
import { header, startSilentServer, startSmtp, throwawayCertificate } from './servers.ts';

let dir: string;
const cleanups: Array<() => Promise<void> | void> = [];
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-email-')); });
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await rm(dir, { recursive: true, force: true });
});

const contacts: Alerts['contacts'] = [
  { name: 'Ms Khan', role: 'dsl', email: 'dsl@school.example' },
  { name: 'Mr Jones', role: 'headteacher' },
  { name: 'Mrs Patel', role: 'deputy-dsl', email: 'deputy@school.example' },
];

function config(alerts: Omit<Alerts, 'contacts'>): Config {
  const doc = JSON.parse(JSON.stringify(defaultConfig())) as Config;
  doc.site.name = 'St Example Primary';
  doc.alerts = { contacts, ...alerts };
  return doc;
}

/** Quick to fail and no waiting between attempts: the tests choose the delays, not the clock. */
const fast: Omit<SenderSettings, 'dataDir'> = {
  retry: { delaysMs: [0, 0] },
  smtpTimeouts: { connectMs: 2_000, greetingMs: 300, idleMs: 2_000, attemptMs: 5_000 },
};

async function sender(doc: Config, extra: Partial<SenderSettings> = {}): Promise<AlertSender> {
  const s = await AlertSender.fromConfig(doc, { dataDir: dir, ...fast, ...extra });
  cleanups.push(() => s.close());
  return s;
}

describe('alerts by e-mail', () => {
  it('sends one message to each recipient with an address: severity in the subject, names defanged, no link', async () => {
    const smtp = await startSmtp();
    cleanups.push(smtp.close);
    const s = await sender(config({ email: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'gateway@school.example' } }));

    const outcomes = await s.deliver(alert(), contacts, 'new');

    expect(outcomes).toEqual([
      { channel: 'email', to: 'Ms Khan', ok: true },
      { channel: 'email', to: 'Mrs Patel', ok: true },
    ]);
    expect(smtp.received.map((m) => m.to).sort()).toEqual([['deputy@school.example'], ['dsl@school.example']]);
    const toDsl = smtp.received.find((m) => m.to[0] === 'dsl@school.example')!;
    expect(toDsl.from).toBe('gateway@school.example');
    expect(header(toDsl.headers, 'Subject')).toBe('[Schoolgate CRITICAL] A name looked up matched a keyword list: Year5-iPad-07 on Pupils (pupil)');
    expect(header(toDsl.headers, 'Auto-Submitted')).toBe('auto-generated');
    expect(header(toDsl.headers, 'Content-Type')).toMatch(/^text\/plain/);
    expect(toDsl.body).toContain('how-to[.]self-harm[.]example[.]com');
    expect(toDsl.body).toContain('schoolgate alerts ack 42');
    expect(toDsl.body).toContain('as the designated safeguarding lead');
    expect(toDsl.body).not.toMatch(LINKABLE);
    expect(toDsl.body).not.toContain('self-harm.example.com');
  });

  it('upgrades with STARTTLS and logs in with the password from its file', async () => {
    const tls = throwawayCertificate(dir);
    const smtp = await startSmtp({ tls, login: { user: 'gateway', pass: 'correct horse' } });
    cleanups.push(smtp.close);
    await writeFile(join(dir, 'smtp-password'), 'correct horse\n', { mode: 0o600 });
    const doc = config({ email: { host: '127.0.0.1', port: smtp.port, security: 'starttls', username: 'gateway', passwordFile: 'smtp-password', from: 'gateway@school.example' } });
    const s = await sender(doc, { ca: tls.cert });

    expect(await s.deliver(alert(), contacts.slice(0, 1), 'new')).toEqual([{ channel: 'email', to: 'Ms Khan', ok: true }]);
    expect(smtp.received).toMatchObject([{ secure: true, user: 'gateway', to: ['dsl@school.example'] }]);
  });

  it('speaks TLS from the first byte with security "tls", and refuses a certificate it cannot trust', async () => {
    const tls = throwawayCertificate(dir);
    const smtp = await startSmtp({ tls, implicitTls: true });
    cleanups.push(smtp.close);
    const doc = config({ email: { host: '127.0.0.1', port: smtp.port, security: 'tls', from: 'gateway@school.example' } });
    expect(await (await sender(doc, { ca: tls.cert })).deliver(alert(), contacts.slice(0, 1), 'new')).toEqual([{ channel: 'email', to: 'Ms Khan', ok: true }]);
    expect(smtp.received).toMatchObject([{ secure: true, to: ['dsl@school.example'] }]);

    const [untrusted] = await (await sender(doc)).deliver(alert(), contacts.slice(0, 1), 'new');
    expect(untrusted).toMatchObject({ ok: false, error: expect.stringMatching(/self-signed certificate.*\(1 attempt\)/) });
    expect(smtp.received).toHaveLength(1);
  });

  it('refuses to send when a starttls relay does not offer the upgrade, and does not retry a refused login', async () => {
    const tls = throwawayCertificate(dir);
    const plain = await startSmtp({ offerStartTls: false });
    cleanups.push(plain.close);
    const s = await sender(config({ email: { host: '127.0.0.1', port: plain.port, security: 'starttls', from: 'gateway@school.example' } }), { ca: tls.cert });
    const [outcome] = await s.deliver(alert(), contacts.slice(0, 1), 'new');
    expect(outcome).toMatchObject({ channel: 'email', to: 'Ms Khan', ok: false, error: expect.stringMatching(/STARTTLS/i) });
    expect(plain.received).toEqual([]);

    const guarded = await startSmtp({ tls, login: { user: 'gateway', pass: 'correct horse' } });
    cleanups.push(guarded.close);
    await writeFile(join(dir, 'wrong-password'), 'wrong\n', { mode: 0o600 });
    const wrong = await sender(config({ email: { host: '127.0.0.1', port: guarded.port, security: 'starttls', username: 'gateway', passwordFile: 'wrong-password', from: 'gateway@school.example' } }), { ca: tls.cert });
    const [refused] = await wrong.deliver(alert(), contacts.slice(0, 1), 'new');
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/Invalid username or password.*\(1 attempt\)/) });
  });

  it('reports a relay that never answers as failed after its retries, each attempt bounded by the greeting timeout', async () => {
    const dead = await startSilentServer();
    cleanups.push(dead.close);
    const s = await sender(config({ email: { host: '127.0.0.1', port: dead.port, security: 'none', from: 'gateway@school.example' } }));

    const [outcome] = await s.deliver(alert(), contacts.slice(0, 1), 'new');

    expect(outcome).toMatchObject({ channel: 'email', to: 'Ms Khan', ok: false, error: expect.stringMatching(/greeting.*\(3 attempts\)/i) });
    expect(dead.connections()).toBe(3);
    // A test send is tried once: its caller is waiting to read why it failed.
    await s.deliver(alert(), contacts.slice(0, 1), 'test');
    expect(dead.connections()).toBe(4);
  });

  it('reports a password file others can read as a failed outcome, sending nothing', async () => {
    const smtp = await startSmtp();
    cleanups.push(smtp.close);
    const file = join(dir, 'smtp-password');
    await writeFile(file, 'secret\n');
    await chmod(file, 0o644);
    const s = await sender(config({ email: { host: '127.0.0.1', port: smtp.port, security: 'none', username: 'gateway', passwordFile: 'smtp-password', from: 'gateway@school.example' } }));

    expect(s.channels).toEqual({ email: true, webhook: false, problems: [expect.stringMatching(/e-mail is not set up: .*open to group or others \(mode 0644\): run chmod 600/)] });
    expect(await s.deliver(alert(), contacts, 'new')).toEqual([
      { channel: 'email', to: 'Ms Khan', ok: false, error: s.channels.problems[0] },
      { channel: 'email', to: 'Mrs Patel', ok: false, error: s.channels.problems[0] },
    ]);
    expect(smtp.received).toEqual([]);
  });
});
