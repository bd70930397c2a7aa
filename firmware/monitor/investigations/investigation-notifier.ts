// Who hears that an investigation started or ended, and in which words: the DSL (and the head),
// at once, like a critical alert, by the mailer the weekly review and change control use. The
// message names the investigation, its incident and times, never what the device looked up.
// Nothing here fails a step: with no mailer or no one to tell it is logged.
import type { AlertContact } from '../../config/alerts-schema.ts';
import { expiryWords } from '../../control/changes/change-words.ts';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../log.ts';
import type { AccountRow } from '../../state/accounts.ts';
import { inertLine } from '../alerts/delivery/inert-text.ts';
import type { EmailMessage } from '../alerts/delivery/message.ts';
import type { ReviewMailer } from '../review/review-notifier.ts';
import type { Investigation } from './investigation-schema.ts';
import type { InvestigationEvent } from './investigation-service.ts';

const HEADLINE: Readonly<Record<InvestigationEvent, string>> = {
  started: 'has started',
  ended: 'was ended early',
  expired: 'has expired',
};

/** Enabled accounts holding the DSL's or the head's role, with an e-mail address. */
export function recipientsOf(accounts: readonly AccountRow[]): AccountRow[] {
  return accounts.filter((a) => !a.disabled && !a.breakGlass && a.email !== null && (a.roles.includes('dsl') || a.roles.includes('headteacher')));
}

export function investigationEmail(event: InvestigationEvent, inv: Investigation, o: { site: string; timezone: string }): EmailMessage {
  const time = (iso: string) => expiryWords(iso, o.timezone, 'long');
  const device = inv.deviceName ? `${inertLine(inv.deviceName, 80)} (${inv.device})` : inv.device;
  const lines = [
    `Investigation ${inv.id} at ${o.site} ${HEADLINE[event]}.`,
    '',
    `Incident: ${inv.incidentId}`,
    `Device: ${device}`,
    `Policy meanwhile: ${inertLine(inv.policyName, 80)} (illegal-content lists still block)`,
    `From ${time(inv.from)} until ${time(inv.until)}`,
    // Actors are account:USERNAME or ssh:USER, never typed text: shown as they are.
    `Approved by: ${inv.approvedBy.join(' and ')}`,
  ];
  if (event === 'ended' && inv.endedBy) lines.push(`Ended by: ${inv.endedBy} at ${time(inv.endedAt!)}`);
  if (event !== 'started') lines.push('The device is back on its usual filtering; its lookups are saved as evidence on the incident.');
  lines.push('', 'You receive this because your account holds the DSL\'s or the headteacher\'s role.', '');
  return { subject: `[Schoolgate] Investigation ${inv.id} ${HEADLINE[event]} (incident ${inv.incidentId})`, text: lines.join('\n') };
}

export interface InvestigationNotifierDeps {
  mailer: ReviewMailer | null;
  accounts: () => readonly AccountRow[];
  config: () => Readonly<Config>;
  logger: Logger;
}

export class InvestigationNotifier {
  readonly #d: InvestigationNotifierDeps;

  constructor(deps: InvestigationNotifierDeps) {
    this.#d = deps;
  }

  /** Sends the notice; resolves to how many were sent, never rejects. */
  async notify(event: InvestigationEvent, inv: Investigation): Promise<number> {
    const log = { investigation: inv.id, event };
    try {
      const recipients = recipientsOf(this.#d.accounts());
      if (this.#d.mailer === null || recipients.length === 0) {
        this.#d.logger.info(log, this.#d.mailer === null ? 'investigation notice not sent: no e-mail is set up' : 'investigation notice: no DSL or head with an e-mail address');
        return 0;
      }
      const config = this.#d.config();
      const contacts = recipients.map((a): AlertContact => ({ name: a.displayName || a.username, role: a.roles.includes('dsl') ? 'dsl' : 'headteacher', email: a.email! }));
      const message = investigationEmail(event, inv, { site: config.site.name, timezone: config.site.timezone });
      const deliveries = await this.#d.mailer.sendMessage(contacts, () => message, { 'X-Schoolgate-Investigation': String(inv.id) });
      for (const d of deliveries.filter((x) => !x.ok)) this.#d.logger.error({ ...log, to: d.to, reason: d.error }, 'investigation e-mail failed');
      return deliveries.filter((d) => d.ok).length;
    } catch (err) {
      this.#d.logger.error({ err, ...log }, 'investigation notice failed');
      return 0;
    }
  }
}
