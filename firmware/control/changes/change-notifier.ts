// Who hears of a change request, and in which words (the school policies: "the approver is
// notified at once"). E-mail through the mailer the weekly review uses. A new request goes to
// every approver but the requester; after the first approval, to the approvers left (only the
// heads, when the head must be among them and none has approved); once approved, to the IT
// provider (accounts that may apply) and the requester; a decline, applying it or sending it
// upstream, to the requester. Nothing here ever fails a step: with no mailer or no one to tell,
// it is logged; a failed delivery is logged.
import { permissionsOf, type Permission } from '../../admin/roles.ts';
import { DEFAULT_ADMIN_HOSTNAME, DEFAULT_HTTPS_PORT } from '../../admin/https/redirect.ts';
import type { AlertContact } from '../../config/alerts-schema.ts';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../log.ts';
import { inertLine } from '../../monitor/alerts/delivery/inert-text.ts';
import type { EmailMessage } from '../../monitor/alerts/delivery/message.ts';
import type { ReviewMailer } from '../../monitor/review/review-notifier.ts';
import type { AccountRow } from '../../state/accounts.ts';
import { SENIOR_ROLES } from './change-rules.ts';
import { STATUS_LABELS, type ChangeRequest } from './change-schema.ts';

export type ChangeEvent = 'requested' | 'first-approval' | 'approved' | 'declined' | 'applied' | 'sent-upstream';

export interface ChangeNotice {
  event: ChangeEvent;
  change: ChangeRequest;
  title: string;
  /** Whether the requester held the headteacher role when asking (the head's say on scope is given). */
  requestedByHead: boolean;
}

const usernameOf = (actor: string): string | undefined => (actor.startsWith('account:') ? actor.slice('account:'.length) : undefined);

const holds = (a: AccountRow, p: Permission): boolean => permissionsOf(a.roles).has(p);

/** The accounts a notice goes to: enabled, with an e-mail address; each once. */
export function recipientsOf(notice: ChangeNotice, accounts: readonly AccountRow[]): AccountRow[] {
  const { change } = notice;
  const reachable = accounts.filter((a) => !a.disabled && !a.breakGlass && a.email !== null);
  const requester = reachable.filter((a) => `account:${a.username}` === change.requestedBy);
  // An investigation is approved by senior accounts only: the online safety lead is not asked.
  const senior = (a: AccountRow): boolean => change.proposal.kind !== 'investigation' || a.roles.some((r) => SENIOR_ROLES.includes(r));
  const approvers = reachable.filter((a) => holds(a, 'changes.approve') && senior(a) && `account:${a.username}` !== change.requestedBy);
  let chosen: AccountRow[];
  switch (notice.event) {
    case 'requested': chosen = approvers; break;
    case 'first-approval': {
      const left = approvers.filter((a) => !change.approvals.some((x) => x.by === `account:${a.username}`));
      const headStill = change.needsHead && !notice.requestedByHead && !change.approvals.some((x) => x.head);
      chosen = headStill ? left.filter((a) => a.roles.includes('headteacher')) : left;
      break;
    }
    case 'approved': chosen = [...reachable.filter((a) => holds(a, 'changes.apply')), ...requester]; break;
    case 'declined':
    case 'applied':
    case 'sent-upstream': chosen = requester; break;
  }
  const seen = new Set<string>();
  return chosen.filter((a) => !seen.has(a.username) && seen.add(a.username));
}

/** The address of a request's page on the admin UI, as staff reach it. */
export function pageAddress(config: Pick<Config, 'web'>, id: number): string {
  const https = config.web.https;
  const path = `/changes/request?id=${id}`;
  if (https) {
    const port = https.port ?? DEFAULT_HTTPS_PORT;
    return `https://${https.hostname ?? DEFAULT_ADMIN_HOSTNAME}${port === DEFAULT_HTTPS_PORT ? '' : `:${port}`}${path}`;
  }
  const { address, port } = config.web.admin;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}${path}`;
}

const HEADLINE: Readonly<Record<ChangeEvent, string>> = {
  requested: 'is waiting for your approval',
  'first-approval': 'has one approval and is waiting for a second',
  approved: 'is approved: it can be applied',
  declined: 'was declined',
  applied: 'has been applied',
  'sent-upstream': 'has been sent to the filtering provider',
};

const WHY: Readonly<Record<ChangeEvent, (contact: AccountRow, change: ChangeRequest) => string>> = {
  requested: () => 'may approve filtering changes',
  'first-approval': () => 'may approve filtering changes',
  approved: (a, c) => (`account:${a.username}` === c.requestedBy ? 'asked for this change' : 'applies approved filtering changes'),
  declined: () => 'asked for this change',
  applied: () => 'asked for this change',
  'sent-upstream': () => 'asked for this change',
};

/** The message's words. Plain text; what people typed and the names proposed are made inert, as in alerts. */
export function changeEmail(notice: ChangeNotice, contact: AccountRow, o: { site: string; address: string; requesterName: string; timezone: string }): EmailMessage {
  const { change } = notice;
  const last = change.steps.at(-1);
  const lines = [
    `Change request ${change.id} at ${o.site} ${HEADLINE[notice.event]}.`,
    '',
    `What: ${inertLine(notice.title, 200)}`,
    ...change.summary.map((line) => `  - ${inertLine(line, 300)}`),
    `Asked by: ${inertLine(o.requesterName, 120)}, ${new Date(change.requestedAt).toLocaleString('en-GB', { timeZone: o.timezone, dateStyle: 'full', timeStyle: 'short' })}`,
    `Why: ${inertLine(change.rationale, 600)}`,
    `Benefit against risk: ${inertLine(change.riskNote, 600)}`,
    `Approvals: ${change.approvals.length} of 2${change.needsHead ? ' (pupils are in scope: the headteacher must be one of the approvers)' : ''}`,
    `Status: ${STATUS_LABELS[change.status]}`,
  ];
  if (last && (notice.event === 'declined' || notice.event === 'sent-upstream') && last.note) lines.push(`Note: ${inertLine(last.note, 600)}`);
  if (last && notice.event === 'sent-upstream' && last.reference) lines.push(`Filtering provider's reference: ${inertLine(last.reference, 200)}`);
  lines.push('', `Open it in the Schoolgate admin pages: ${o.address}`, '', `You receive this because your account (${contact.displayName || contact.username}) ${WHY[notice.event](contact, change)}.`, '');
  return { subject: `[Schoolgate] Change request ${change.id} ${HEADLINE[notice.event]}`, text: lines.join('\n') };
}

// The mailer needs a role for each contact; these messages say in their own words why the reader gets them.
const contactRole = (a: AccountRow): AlertContact['role'] =>
  a.roles.includes('headteacher') ? 'headteacher' : a.roles.includes('dsl') ? 'dsl' : a.roles.includes('online-safety-lead') ? 'online-safety-lead' : 'it-provider';

export interface ChangeNotifierDeps {
  mailer: ReviewMailer | null;
  accounts: () => readonly AccountRow[];
  config: () => Readonly<Config>;
  logger: Logger;
}

export class ChangeNotifier {
  readonly #d: ChangeNotifierDeps;

  constructor(deps: ChangeNotifierDeps) {
    this.#d = deps;
  }

  /** Sends the notice; resolves once sent (or not), never rejects. */
  async notify(notice: ChangeNotice): Promise<number> {
    const { logger } = this.#d;
    try {
      const accounts = this.#d.accounts();
      const recipients = recipientsOf(notice, accounts);
      const log = { change: notice.change.id, event: notice.event, recipients: recipients.length };
      if (this.#d.mailer === null || recipients.length === 0) {
        logger.info(log, this.#d.mailer === null ? 'change request notice not sent: no e-mail is set up' : 'change request notice: no one with an e-mail address to tell');
        return 0;
      }
      const config = this.#d.config();
      const requesterAccount = accounts.find((a) => a.username === usernameOf(notice.change.requestedBy));
      const requesterName = requesterAccount ? requesterAccount.displayName || requesterAccount.username : notice.change.requestedBy;
      const byAddress = new Map(recipients.map((a) => [a.email!.toLowerCase(), a]));
      const contacts = recipients.map((a): AlertContact => ({ name: a.displayName || a.username, role: contactRole(a), email: a.email! }));
      const o = { site: config.site.name, address: pageAddress(config, notice.change.id), requesterName, timezone: config.site.timezone };
      const deliveries = await this.#d.mailer.sendMessage(contacts, (contact) => changeEmail(notice, byAddress.get(contact.email!.toLowerCase())!, o),
        { 'X-Schoolgate-Change': String(notice.change.id) });
      for (const d of deliveries.filter((x) => !x.ok)) logger.error({ ...log, to: d.to, reason: d.error }, 'change request e-mail failed');
      logger.info(log, 'change request notice sent');
      return deliveries.filter((d) => d.ok).length;
    } catch (err) {
      logger.error({ err, change: notice.change.id, event: notice.event }, 'change request notice failed');
      return 0;
    }
  }
}
