// The delivery rules the schema cannot express. Pure: semantic.ts calls alertsConfigIssues with
// the sections that passed the schema. Issues refuse the document; warnings are a set-up that
// works but may not do what the school expects, logged by the daemon and printed by
// `schoolgate alerts test`.
import type { Alerts } from '../../../config/alerts-schema.ts';
import { pointer, type ConfigIssue } from '../../../config/issues.ts';
import { isLoopbackHost } from './loopback.ts';
import { webhookUrlProblem } from './webhook-url.ts';

export function alertsConfigIssues(doc: { alerts?: Alerts | undefined }): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { alerts } = doc;
  if (!alerts) return issues;
  const add = (path: string, message: string): void => { issues.push({ path, message }); };
  const { email, webhook } = alerts;
  if (email) {
    if (email.security === 'none' && !isLoopbackHost(email.host)) {
      add(pointer('alerts', 'email', 'security'), `"none" sends alerts (and the password) in the clear, so it is only allowed to a relay on this box (127.0.0.1, ::1, localhost), not ${email.host}: use "starttls" or "tls"`);
    }
    if (email.username !== undefined && email.passwordFile === undefined) {
      add(pointer('alerts', 'email', 'passwordFile'), 'a username needs a passwordFile (the file holding its password)');
    }
    if (email.passwordFile !== undefined && email.username === undefined) {
      add(pointer('alerts', 'email', 'username'), 'a passwordFile needs the username it is the password of');
    }
  }
  if (webhook) {
    const problem = webhookUrlProblem(webhook.url);
    if (problem !== undefined) add(pointer('alerts', 'webhook', 'url'), problem);
  }
  return issues;
}

export function alertsConfigWarnings(alerts: Alerts | undefined): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  if (!alerts) return warnings;
  const add = (path: string, message: string): void => { warnings.push({ path, message }); };
  const { email, contacts } = alerts;
  if (email) {
    const first = contacts[0];
    if (!contacts.some((c) => c.email !== undefined)) {
      add(pointer('alerts', 'contacts'), 'alerts.email is configured but no contact has an e-mail address: e-mail alerts reach no one');
    } else if (first !== undefined && first.email === undefined) {
      add(pointer('alerts', 'contacts', 0, 'email'), `the first contact (${first.name}), who hears of a critical alert at once, has no e-mail address: by e-mail it reaches only the contacts after them, when it escalates`);
    }
    // The two ports say which kind of TLS the relay speaks; the other kind fails every send.
    if (email.security === 'tls' && email.port === 587) add(pointer('alerts', 'email', 'port'), 'port 587 normally speaks STARTTLS: with security "tls" the handshake will likely fail (use "starttls", or port 465)');
    if (email.security === 'starttls' && email.port === 465) add(pointer('alerts', 'email', 'port'), 'port 465 normally speaks TLS from the first byte: with security "starttls" the connection will likely fail (use "tls", or port 587)');
  }
  return warnings;
}
