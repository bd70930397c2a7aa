// `schoolgate alerts test`: sends a TEST alert to every configured channel and prints what became
// of each, so an IT provider setting up e-mail or the webhook sees at once whether it works and,
// if not, the relay's or the receiver's own words.
import { callDaemon } from '../../control/client.ts';
import type { TestDeliveryView } from '../../monitor/alerts/delivery/delivery-methods.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, UsageError, type Command } from '../command.ts';

/** One attempt per channel, each bounded (60 s for SMTP, 10 s for the webhook), with room to spare. */
const TEST_TIMEOUT_MS = 90_000;

export function formatTestDelivery(view: TestDeliveryView): string {
  const out: string[] = [];
  if (!view.configured.email && !view.configured.webhook) {
    out.push('No alert channel is configured (alerts.email, alerts.webhook): alerts are stored for the CLI and the web UI only.');
  }
  for (const o of view.outcomes) {
    const what = o.channel === 'email' ? `e-mail to ${o.to}` : `webhook to ${o.to}`;
    out.push(o.ok ? `  ok      ${what}` : `  FAILED  ${what}: ${o.error ?? 'no reason given'}`);
  }
  if (view.configured.email && !view.outcomes.some((o) => o.channel === 'email')) out.push('  (e-mail is configured, but no contact has an e-mail address)');
  for (const w of view.warnings) out.push(`warning: ${w}`);
  const failed = view.outcomes.filter((o) => !o.ok).length;
  if (view.outcomes.length > 0) out.push(failed === 0 ? 'Every channel accepted the test alert; check that it arrived.' : `${failed} of ${view.outcomes.length} failed.`);
  return `${out.join('\n')}\n`;
}

export const alertsTest: Command = {
  positionals: true,
  summary: 'send a TEST alert to every configured channel and show what happened (alerts test)',
  usage: `schoolgate alerts test [--contact NAME] [--json]

Sends a clearly marked TEST alert through the running daemon, the way a real critical alert goes:
an e-mail to each contact with an address (alerts.contacts) and one signed POST to the webhook
(alerts.webhook), each tried once, and prints each outcome with the reason for a failure. The
test is recorded in the audit log. Exit code 0 when every channel accepted it, 1 otherwise
(including when no channel is configured).

      --contact NAME   e-mail only this contact (the webhook is still called)
${dataDirHelp}
      --json           print the outcomes as JSON`,
  options: { ...dataDirOption, contact: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    const [action, ...rest] = positionals;
    if (action !== 'test') throw new UsageError(action === undefined ? 'alerts needs an action: schoolgate alerts test' : `unknown action "${action}" (actions: test)`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const params = typeof values.contact === 'string' ? { contact: values.contact } : {};
    const view = await callDaemon(socketOf(values), 'alerts.test-delivery', params, TEST_TIMEOUT_MS) as TestDeliveryView;
    process.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : formatTestDelivery(view));
    const allOk = view.outcomes.length > 0 && view.outcomes.every((o) => o.ok);
    return allOk ? EXIT.ok : EXIT.failure;
  },
};
