// `schoolgate alerts`: what the gateway raised for the DSL and the weekly review, and the
// acknowledgement of one, through the running daemon (which owns state.db and the audit log).
import { callDaemon } from '../../control/client.ts';
import type { AlertListView } from '../../monitor/alerts/alert-methods.ts';
import { ALERT_SEVERITIES, type Alert } from '../../monitor/alerts/alert-schema.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatAcknowledged, formatAlerts } from '../format-alerts.ts';
import { alertsTest } from './alerts-test.ts';
import { parseSince } from '../since.ts';

async function list(values: OptionValues): Promise<number> {
  if (values.note !== undefined) throw new UsageError('--note goes with "alerts ack ID"');
  if (values.contact !== undefined) throw new UsageError('--contact goes with "alerts test"');
  const params: Record<string, unknown> = {};
  if (values.all) params.all = true;
  if (typeof values.since === 'string') {
    const since = parseSince(values.since, new Date());
    if (since === undefined) throw new UsageError(`--since "${values.since}" is not a time: give 7d, 24h, 30m, 2w, a date (2026-12-01) or a date and time with its zone (2026-12-01T08:00:00Z)`);
    params.since = since;
  }
  if (typeof values.severity === 'string') {
    if (!(ALERT_SEVERITIES as readonly string[]).includes(values.severity)) throw new UsageError(`--severity must be one of ${ALERT_SEVERITIES.join(', ')}`);
    params.severity = values.severity;
  }
  const view = await callDaemon(socketOf(values), 'alerts', params) as AlertListView;
  printResult(values, view, formatAlerts(view.alerts, values.all === true));
  return EXIT.ok;
}

async function ack(values: OptionValues, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError('usage: schoolgate alerts ack ID --note "what was done"');
  const id = Number(args[0]!.replace(/^#/, ''));
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`"${args[0]}" is not an alert number (see schoolgate alerts)`);
  if (typeof values.note !== 'string' || values.note.trim() === '') throw new UsageError('missing --note: what was done about the alert, for the review');
  for (const option of ['all', 'since', 'severity'] as const) if (values[option] !== undefined) throw new UsageError(`--${option} goes with listing alerts, not with ack`);
  const alert = await callDaemon(socketOf(values), 'alerts.ack', { id, note: values.note.trim() }) as Alert;
  printResult(values, alert, formatAcknowledged(alert));
  return EXIT.ok;
}

export const alerts: Command = {
  positionals: true,
  summary: 'alerts for the DSL and the weekly review; acknowledge one',
  usage: `schoolgate alerts [--all] [--since TIME] [--severity LEVEL] [--json]
schoolgate alerts ack ID --note "TEXT"
schoolgate alerts test [--contact NAME] [--json]

Lists alerts, newest first (open ones unless --all): number, severity, kind, when (a burst of one
kind from one device is one alert with a count), network, device (its name, else its MAC, else its
address), what was looked up or seen (as plain text: never open it), and why it is an alert.
Critical alerts were sent to the first contact at once and go to the next one every
alerts.escalateAfterMinutes until acknowledged; the rest wait for the weekly review.

\`alerts ack\` marks one as dealt with, with a note of what was done; it is recorded in the
audit log under your name. An acknowledged alert stays acknowledged: a new occurrence starts a
new alert.

\`alerts test\` sends a TEST alert to every configured channel (e-mail, webhook) and prints each
outcome: how to check the set-up (schoolgate alerts test --help).

${dataDirHelp}
      --all            acknowledged alerts too
      --since TIME     only alerts last seen from TIME on: 7d, 24h, 30m, 2w, a date
                       (2026-12-01) or a date and time with its zone (2026-12-01T08:00:00Z)
      --severity L     only this severity: ${ALERT_SEVERITIES.join(', ')}
      --note TEXT      (ack) what was done about it
      --json           print the result as JSON`,
  options: { ...dataDirOption, json: { type: 'boolean' }, all: { type: 'boolean' }, since: { type: 'string' }, severity: { type: 'string' }, note: { type: 'string' }, contact: { type: 'string' } },
  async run(values, positionals) {
    const [action, ...args] = positionals;
    if (action === undefined) return list(values);
    if (action === 'ack') return ack(values, args);
    if (action === 'test') return alertsTest.run(values, positionals);
    throw new UsageError(`unknown alerts action "${action}" (alerts, alerts ack ID --note TEXT, or alerts test)`);
  },
};
