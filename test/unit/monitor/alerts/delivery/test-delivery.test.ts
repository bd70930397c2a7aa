// `schoolgate alerts test` against a real daemon, whose sender reaches an SMTP server and a
// webhook receiver on 127.0.0.1; the sender is rebuilt when the configuration is reloaded.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDeliveryView } from '../../../../../firmware/monitor/alerts/delivery/delivery-methods.ts';
import type { WebhookPayload } from '../../../../../firmware/monitor/alerts/delivery/webhook-schema.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../../../../support/daemon.ts';
import { startTestUpstream } from '../../../../support/upstream.ts';
import { header, startReceiver, startSmtp } from './servers.ts';

const SECRET = '5f0e9a7c2b1d4e6f8a0b1c2d3e4f5a6b';
let daemon: RunningDaemon;
let secrets: string;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let hook: Awaited<ReturnType<typeof startReceiver>>;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const upstream = await startTestUpstream();
  closers.push(upstream.close);
  smtp = await startSmtp();
  closers.push(smtp.close);
  hook = await startReceiver(SECRET);
  closers.push(hook.close);
  secrets = await mkdtemp(join(tmpdir(), 'schoolgate-secrets-'));
  await writeFile(join(secrets, 'webhook.key'), `${SECRET}\n`, { mode: 0o600 });
  const config = await testConfig(upstream);
  config.lists = [];
  config.alerts = {
    contacts: [
      { name: 'Mr Jones', role: 'headteacher' },
      { name: 'Ms Khan', role: 'dsl', email: 'dsl@school.example' },
      { name: 'Mrs Patel', role: 'deputy-dsl', email: 'deputy@school.example' },
    ],
    email: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'gateway@school.example' },
    webhook: { url: hook.url, secretFile: join(secrets, 'webhook.key') },
  };
  daemon = await startDaemonProcess(config);
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  for (const close of closers.reverse()) await close();
  if (secrets) await rm(secrets, { recursive: true, force: true });
});

describe('schoolgate alerts test', () => {
  it('sends a marked test to every contact with an address and to the webhook, and prints each outcome', async () => {
    const run = await daemon.cli(['alerts', 'test', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout) as TestDeliveryView;
    const host = new URL(hook.url).host;
    expect(view.outcomes).toEqual([
      { channel: 'email', to: 'Ms Khan', ok: true },
      { channel: 'email', to: 'Mrs Patel', ok: true },
      { channel: 'webhook', to: host, ok: true },
    ]);
    expect(view.warnings).toEqual([expect.stringMatching(/^\/alerts\/contacts\/0\/email: the first contact \(Mr Jones\)/)]);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['deputy@school.example', 'dsl@school.example']);
    expect(smtp.received.every((m) => header(m.headers, 'Subject')?.startsWith('[Schoolgate TEST] '))).toBe(true);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.verdict.ok).toBe(true);
    expect((JSON.parse(hook.received[0]!.body) as WebhookPayload).type).toBe('schoolgate.test');

    const audit = await daemon.cli(['audit', '--action', 'alerts.test-delivery', '--json']);
    expect(JSON.parse(audit.stdout).entries).toHaveLength(1);
  });

  it('e-mails one contact when asked, and says plainly who it reached', async () => {
    const before = smtp.received.length;
    const run = await daemon.cli(['alerts', 'test', '--contact', 'Mrs Patel']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('  ok      e-mail to Mrs Patel\n');
    expect(run.stdout).toMatch(/ {2}ok {6}webhook to 127\.0\.0\.1:\d+\n/);
    expect(run.stdout).toContain('warning: /alerts/contacts/0/email');
    expect(smtp.received.slice(before).map((m) => m.to)).toEqual([['deputy@school.example']]);

    const unknown = await daemon.cli(['alerts', 'test', '--contact', 'Nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/there is no contact "Nobody" \(contacts: Mr Jones, Ms Khan, Mrs Patel\)/);
  });

  it('reads the secret files again on a reload: an unsafe one shows as a failed outcome and exit 1', async () => {
    await chmod(join(secrets, 'webhook.key'), 0o644);
    expect((await daemon.cli(['config', 'reload'])).code).toBe(0);
    const run = await daemon.cli(['alerts', 'test']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAILED {2}webhook to 127\.0\.0\.1:\d+: the webhook is not set up: .*mode 0644\): run chmod 600/);
    expect(run.stdout).toContain('1 of 3 failed.');
  });
});
