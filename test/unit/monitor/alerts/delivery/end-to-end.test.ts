// An alert reaching a person, end to end: the real daemon, configured with contacts, e-mail to an
// SMTP server (smtp-server) on 127.0.0.1 and a signed webhook to an HTTP receiver on 127.0.0.1. A
// pupil's device asks a self-harm name; the first contact's e-mail and the webhook arrive saying
// what a DSL needs (network, device, the name defanged, the alert's id), the webhook's signature
// verifies, and `schoolgate alerts` shows the alert delivered. The filter self-test run first,
// from the gateway's own address, raises nothing. Escalation's timing is the fake-clock unit
// tests' (alert-service.test.ts): no real minutes are waited for here.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Alert } from '../../../../../firmware/monitor/alerts/alert-schema.ts';
import { defang } from '../../../../../firmware/monitor/alerts/delivery/inert-text.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../../../../firmware/monitor/alerts/delivery/signature.ts';
import type { WebhookPayload } from '../../../../../firmware/monitor/alerts/delivery/webhook-schema.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../../../../support/daemon.ts';
import { askUdp, startTestUpstream } from '../../../../support/upstream.ts';
import { header, startReceiver, startSmtp } from './servers.ts';

const PUPIL = '127.20.0.5';
const GATEWAY = '127.20.0.1';
const NAME = 'how-to-k1ll-myself.example';
const SECRET = 'e2e-signing-key-0123456789abcdef';

let daemon: RunningDaemon;
let secrets: string;
const cleanups: Array<() => Promise<unknown>> = [];
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let hook: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  const upstream = await startTestUpstream();
  cleanups.push(upstream.close);
  smtp = await startSmtp();
  cleanups.push(smtp.close);
  hook = await startReceiver(SECRET);
  cleanups.push(hook.close);
  secrets = await mkdtemp(join(tmpdir(), 'schoolgate-e2e-secrets-'));
  cleanups.push(() => rm(secrets, { recursive: true, force: true }));
  const secretFile = join(secrets, 'webhook.key');
  // The daemon refuses a secret group or others could read.
  await writeFile(secretFile, `${SECRET}\n`, { mode: 0o600 });
  const config = await testConfig(upstream);
  config.site.name = 'St Example Primary';
  config.alerts = {
    contacts: [
      { name: 'Ms Khan', role: 'dsl', email: 'dsl@school.example' },
      { name: 'Mrs Patel', role: 'deputy-dsl', email: 'deputy@school.example' },
    ],
    escalateAfterMinutes: 30,
    email: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'schoolgate@school.example' },
    webhook: { url: hook.url, secretFile },
  };
  daemon = await startDaemonProcess(config);
}, 60_000);

afterAll(async () => {
  await daemon?.cleanup();
  for (const close of cleanups.reverse()) await close();
});

async function alerts(): Promise<Alert[]> {
  const run = await daemon.cli(['alerts', '--all', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { alerts: Alert[] }).alerts;
}

/** Polls until `ready` holds: the writer stores a batch every 50 ms and delivery follows it. */
async function until(what: string, ready: () => boolean | Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 20_000; !(await ready());) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 20 s:\n${daemon.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('takes a critical alert to the first contact by e-mail and to the signed webhook, and marks it notified', async () => {
  // The self-test asks canaries, DoH names and blocked names from the gateway's own address.
  const selftest = await daemon.cli(['selftest', '--network', 'pupil']);
  expect(selftest.code, selftest.stdout + selftest.stderr).toBe(0);

  const server = daemon.config.dns.listen[0]!;
  await askUdp(server, NAME, { from: PUPIL });
  await until('the e-mail and the webhook', () => smtp.received.length >= 1 && hook.received.length >= 1);

  // The writer takes batches in order: the pupil's alert stored means the self-test's questions
  // (asked before it) went through the same rules, and raised nothing.
  const all = await alerts();
  expect(all.map((a) => [a.kind, a.severity, a.address, a.subject])).toEqual([['dns.keyword', 'critical', PUPIL, NAME]]);
  const alert = all[0]!;
  expect(all.some((a) => a.address === GATEWAY)).toBe(false);

  expect(smtp.received).toHaveLength(1);
  const [mail] = smtp.received;
  expect(mail!.to).toEqual(['dsl@school.example']);
  expect(mail!.from).toBe('schoolgate@school.example');
  expect(header(mail!.headers, 'subject')).toContain('[Schoolgate CRITICAL]');
  expect(mail!.body).toContain(`alert ${alert.id} from the Schoolgate gateway at St Example Primary`);
  expect(mail!.body).toContain('Pupils (pupil)');
  expect(mail!.body).toContain(defang(PUPIL));
  expect(mail!.body).toContain(defang(NAME));
  expect(mail!.body).not.toContain(NAME);
  expect(mail!.body).toContain(`schoolgate alerts ack ${alert.id} --note`);
  expect(mail!.body).toContain('as the designated safeguarding lead');

  expect(hook.received).toHaveLength(1);
  const [request] = hook.received;
  expect(request!.verdict).toMatchObject({ ok: true });
  // Checked again here, and a wrong key refused: the signature is over this very body.
  const signature = request!.headers[SIGNATURE_HEADER] as string;
  const now = Math.floor(Date.now() / 1000);
  expect(verifySignature(SECRET, signature, request!.body, now)).toMatchObject({ ok: true });
  expect(verifySignature('another-key-0123456789abcdef', signature, request!.body, now)).toMatchObject({ ok: false });
  const payload = JSON.parse(request!.body) as WebhookPayload;
  expect(payload).toMatchObject({ type: 'schoolgate.alert', why: 'new', site: 'St Example Primary', network: 'Pupils (pupil)', device: defang(PUPIL) });
  expect(payload.alert).toMatchObject({ id: alert.id, kind: 'dns.keyword', severity: 'critical', subject: NAME, address: PUPIL, networkId: 'pupil' });
  expect(payload.text).toContain(defang(NAME));

  // Delivered: marked at the first contact's level, so escalation starts its clock from here.
  expect(alert.notifiedAt).not.toBeNull();
  expect(alert.escalationLevel).toBe(0);
  expect(alert.status).toBe('open');
  const ack = await daemon.cli(['alerts', 'ack', String(alert.id), '--note', 'spoke to the pupil with the class teacher']);
  expect(ack.code, ack.stderr).toBe(0);
  expect((await alerts())[0]).toMatchObject({ id: alert.id, status: 'acknowledged', notifiedAt: alert.notifiedAt });
}, 60_000);
