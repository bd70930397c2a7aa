// Telling a sponsor at once that a visitor waits for them: a short e-mail through the alerts'
// SMTP settings (alerts.email), when the sponsor's account has an address. Not an alert: nothing
// is stored, escalated or acknowledged; the queue in the web UI is the record. The visitor typed
// the text, so each line is made inert (no link a mail client would make of a name).
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../log.ts';
import { EmailChannel } from '../../monitor/alerts/delivery/email.ts';
import { inertLine } from '../../monitor/alerts/delivery/inert-text.ts';
import type { EmailMessage } from '../../monitor/alerts/delivery/message.ts';
import { readSecretFile } from '../../monitor/alerts/delivery/secret-file.ts';
import type { AccountRow } from '../../state/accounts.ts';
import type { VisitorRequest } from './schema.ts';

/** The message (pure). */
export function sponsorEmail(request: VisitorRequest, site: { name: string; timezone: string }): EmailMessage {
  const v = request.visitor;
  const at = new Intl.DateTimeFormat('en-GB', { timeZone: site.timezone, hour: '2-digit', minute: '2-digit' }).format(new Date(request.created));
  return {
    subject: `${inertLine(v.name, 80)} is waiting for you to approve their guest Wi-Fi`,
    text: [
      `${inertLine(v.name, 120)} registered on the guest Wi-Fi at ${site.name} at ${at}, naming you as the member of staff they are visiting.`,
      '',
      `Organisation: ${inertLine(v.organisation ?? '', 120)}`,
      `Purpose: ${inertLine(v.purpose ?? '', 300)}`,
      '',
      'To let them on, open the Visitors page of the school\'s Schoolgate web UI and approve or decline. At reception you can type your sponsor code on their device instead.',
      'If you do not know this visitor, decline: the request is kept with the visitor records.',
    ].join('\n'),
  };
}

/** A notifier for RegistrationService: sends in the background, logs the outcome, never throws. */
export function sponsorNotifier(o: { config: { readonly current: Readonly<Config> }; dataDir: string; logger: Logger }) {
  let channel: { email: unknown; channel: Promise<EmailChannel> } | undefined;
  const channelFor = (email: NonNullable<NonNullable<Config['alerts']>['email']>) => {
    // One transport per alerts.email setting: a changed configuration gets a new one.
    if (channel?.email !== email) {
      void channel?.channel.then((c) => c.close(), () => undefined);
      const password = email.passwordFile === undefined ? Promise.resolve(undefined) : readSecretFile(email.passwordFile, o.dataDir, 'SMTP password (alerts.email.passwordFile)');
      channel = { email, channel: password.then((p) => EmailChannel.create({ email, ...(p !== undefined ? { password: p } : {}) })) };
    }
    return channel.channel;
  };
  /** Resolves when the e-mail was sent or given up on (the registration does not wait for it). */
  return (sponsor: AccountRow, request: VisitorRequest): Promise<void> | undefined => {
    const email = o.config.current.alerts?.email;
    o.logger.info({ sponsor: sponsor.username, request: request.id, email: email !== undefined && sponsor.email !== null }, 'a visitor asks their sponsor for the guest Wi-Fi');
    if (!email || sponsor.email === null) return;
    const message = sponsorEmail(request, o.config.current.site);
    // The channel is the alerts' and takes an alert contact; a sponsor holds no alert role, and the
    // channel reads only the name and the address.
    const contact = { name: sponsor.displayName, email: sponsor.email } as Parameters<EmailChannel['send']>[0];
    return channelFor(email)
      .then((c) => c.send(contact, message, { 'X-Schoolgate-Visitor-Request': String(request.id) }))
      .then((outcome) => { if (!outcome.ok) o.logger.warn({ sponsor: sponsor.username, error: outcome.error }, 'the sponsor could not be e-mailed about a visitor'); })
      .catch((err: Error) => o.logger.warn({ err, sponsor: sponsor.username }, 'the sponsor could not be e-mailed about a visitor'));
  };
}
