// The signed webhook, received by a node:http server on 127.0.0.1 that verifies it as a real
// receiver would (docs/alert-webhook.md).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../../firmware/config/schema.ts';
import { LiveAlertSender } from '../../../../../firmware/monitor/alerts/delivery/live-sender.ts';
import { AlertSender } from '../../../../../firmware/monitor/alerts/delivery/sender.ts';
import { silentLogger } from '../../../../../firmware/log.ts';
import { signatureHeader, verifySignature } from '../../../../../firmware/monitor/alerts/delivery/signature.ts';
import { WebhookChannel } from '../../../../../firmware/monitor/alerts/delivery/webhook.ts';
import { WebhookPayload } from '../../../../../firmware/monitor/alerts/delivery/webhook-schema.ts';
import { alert, context } from './fixtures.ts';
import { startReceiver, throwawayCertificate } from './servers.ts';
import { webhookPayload } from '../../../../../firmware/monitor/alerts/delivery/message.ts';

const SECRET = 'd6f1c0e2a9b84f7c93e5a1b2c3d4e5f6';

let dir: string;
const cleanups: Array<() => Promise<void> | void> = [];
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-webhook-')); });
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await rm(dir, { recursive: true, force: true });
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  cleanups.push(r.close);
  return r;
}

const channel = (url: string, secret = SECRET, timeoutMs = 5_000) => new WebhookChannel({ url, secret, timeoutMs, retry: { delaysMs: [0, 0] } });
const build = (id: string, sentAt: string) => webhookPayload(alert(), 'new', context, id, sentAt);

describe('the signature', () => {
  it('verifies what it signed, and refuses another secret, a changed body, an old timestamp and a malformed header', () => {
    const body = '{"a":1}';
    const now = 1_800_000_000;
    const header = signatureHeader(SECRET, now, body);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, header, body, now + 10)).toEqual({ ok: true, timestamp: now });
    expect(verifySignature('another-secret-entirely', header, body, now)).toMatchObject({ ok: false, error: expect.stringMatching(/does not match/) });
    expect(verifySignature(SECRET, header, '{"a":2}', now)).toMatchObject({ ok: false, error: expect.stringMatching(/does not match/) });
    expect(verifySignature(SECRET, header, body, now + 301)).toMatchObject({ ok: false, error: expect.stringMatching(/replay/) });
    expect(verifySignature(SECRET, 'v1=abc', body, now)).toMatchObject({ ok: false, error: expect.stringMatching(/not t=/) });
    expect(verifySignature(SECRET, undefined, body, now)).toMatchObject({ ok: false });
  });
});

describe('alerts by webhook', () => {
  it('POSTs the alert as signed JSON, which the receiver verifies and parses as the documented shape', async () => {
    const hook = await receiver(SECRET);
    await writeFile(join(dir, 'webhook.key'), `${SECRET}\n`, { mode: 0o600 });
    const doc = JSON.parse(JSON.stringify(defaultConfig())) as Config;
    doc.alerts = { contacts: [{ name: 'Ms Khan', role: 'dsl' }], webhook: { url: hook.url, secretFile: 'webhook.key' } };
    const sender = await AlertSender.fromConfig(doc, { dataDir: dir });

    expect(await sender.deliver(alert(), doc.alerts.contacts, 'new')).toEqual([{ channel: 'webhook', to: new URL(hook.url).host, ok: true }]);

    expect(hook.received).toHaveLength(1);
    const [got] = hook.received;
    expect(got!.verdict.ok).toBe(true);
    expect(got!.headers['content-type']).toBe('application/json');
    const payload: unknown = JSON.parse(got!.body);
    expect(Value.Check(WebhookPayload, payload)).toBe(true);
    expect(payload).toMatchObject({ type: 'schoolgate.alert', why: 'new', alert: alert() });
    expect(got!.headers['schoolgate-delivery']).toBe((payload as WebhookPayload).deliveryId);
  });

  it('is refused by a receiver holding another secret, and does not retry the refusal', async () => {
    const hook = await receiver('the-receivers-own-different-secret');
    const outcome = await channel(hook.url).send(build);
    expect(outcome).toEqual({ channel: 'webhook', to: new URL(hook.url).host, ok: false, error: expect.stringMatching(/answered 401: bad signature: the signature does not match.*\(1 attempt\)/) });
    expect(hook.received).toHaveLength(1);
  });

  it('retries a receiver that fails, with the same delivery id and a fresh valid signature', async () => {
    const hook = await receiver(SECRET, [{ status: 503 }, { status: 500 }]);
    expect(await channel(hook.url).send(build)).toMatchObject({ ok: true });
    expect(hook.received).toHaveLength(3);
    expect(hook.received.every((r) => r.verdict.ok)).toBe(true);
    expect(new Set(hook.received.map((r) => r.headers['schoolgate-delivery'])).size).toBe(1);
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await receiver(SECRET);
    const hook = await receiver(SECRET, [{ status: 307, headers: { location: elsewhere.url } }]);
    expect(await channel(hook.url).send(build)).toMatchObject({ ok: false, error: expect.stringMatching(/answered 307, a redirect to .* which is not followed/) });
    expect(elsewhere.received).toHaveLength(0);
  });

  it('gives up on a receiver that never answers, after its retries', async () => {
    const hook = await receiver(SECRET, [{ status: 0, hang: true }, { status: 0, hang: true }, { status: 0, hang: true }]);
    expect(await channel(hook.url, SECRET, 300).send(build)).toMatchObject({ ok: false, error: expect.stringMatching(/no answer from .* within 0.3 s \(3 attempts\)/) });
    expect(hook.received).toHaveLength(3);
  });

  it('speaks https, checking the receiver\'s certificate, and does not retry one it cannot trust', async () => {
    const tls = throwawayCertificate(dir);
    const hook = await receiver(SECRET, [], tls);
    expect(await new WebhookChannel({ url: hook.url, secret: SECRET, ca: tls.cert }).send(build)).toMatchObject({ ok: true });
    expect(hook.received).toHaveLength(1);
    expect(await channel(hook.url).send(build)).toMatchObject({ ok: false, error: expect.stringMatching(/self-signed certificate.*\(1 attempt\)/) });
    expect(hook.received).toHaveLength(1);
  });

  it('refuses http beyond loopback, and a short secret', () => {
    expect(() => channel('http://hooks.trust.example/x')).toThrow(/http is only allowed to a loopback address/);
    expect(() => channel('https://hooks.trust.example/x', 'short')).toThrow(/at least 16/);
  });

  it('reports a secret file others can read as a failed outcome', async () => {
    const hook = await receiver(SECRET);
    await writeFile(join(dir, 'webhook.key'), SECRET);
    await chmod(join(dir, 'webhook.key'), 0o604);
    const doc = JSON.parse(JSON.stringify(defaultConfig())) as Config;
    doc.alerts = { contacts: [], webhook: { url: hook.url, secretFile: 'webhook.key' } };
    const sender = await AlertSender.fromConfig(doc, { dataDir: dir });
    expect(await sender.deliver(alert(), [], 'new')).toEqual([{ channel: 'webhook', to: new URL(hook.url).host, ok: false, error: expect.stringMatching(/webhook is not set up: .*mode 0604/) }]);
    expect(hook.received).toHaveLength(0);
  });

  it('goes by the newest configuration: a delivery right after a change waits for the rebuild', async () => {
    const before = await receiver(SECRET);
    const after = await receiver(SECRET);
    await writeFile(join(dir, 'webhook.key'), SECRET, { mode: 0o600 });
    const doc = (url: string): Config => ({ ...(JSON.parse(JSON.stringify(defaultConfig())) as Config), alerts: { contacts: [], webhook: { url, secretFile: 'webhook.key' } } });
    const live = LiveAlertSender.start(doc(before.url), { dataDir: dir }, silentLogger());
    cleanups.push(() => live.close());
    expect(await live.deliver(alert(), [], 'new')).toMatchObject([{ ok: true, to: new URL(before.url).host }]);

    void live.rebuild(doc(after.url));
    expect(await live.deliver(alert(), [], 'new')).toMatchObject([{ ok: true, to: new URL(after.url).host }]);
    expect([before.received.length, after.received.length]).toEqual([1, 1]);
  });
});
