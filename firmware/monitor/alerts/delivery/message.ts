// What an alert says: the e-mail's subject and text and the webhook's JSON, built from the stored
// alert and the configuration alone. Pure, so every wording rule is tested without a server.
// Everything the alert carries is defanged (inert-text.ts); nothing is added beyond what the alert
// holds, the school's name and the network's name.
import type { AlertContact } from '../../../config/alerts-schema.ts';
import type { Alert, AlertKind, AlertSeverity, DeliveryReason } from '../alert-schema.ts';
import { inertLine } from './inert-text.ts';
import type { WebhookPayload } from './webhook-schema.ts';

/** What a message needs from the configuration. */
export interface MessageContext {
  site: string;
  /** The school's IANA time zone: every time is written as the school's clocks show it. */
  timezone: string;
  networks: readonly { id: string; name: string }[];
  /** How long a critical alert waits for acknowledgement before the next contact hears of it. */
  escalateAfterMinutes: number;
}

export interface EmailMessage {
  subject: string;
  text: string;
}

export const KIND_TITLE: Record<AlertKind, string> = {
  'dns.restricted': 'A name on a restricted (illegal-content) list was looked up',
  'dns.category': 'A blocked category was looked up',
  'dns.watch': 'A watched site was visited',
  'dns.keyword': 'A name looked up matched a keyword list',
  'dns.bypass': 'An attempt to get round the filter (DNS)',
  'dns.rate-limited': 'A storm of DNS questions from one device',
  'net.bypass': 'An attempt to get round the filter (encrypted DNS, VPN or proxy)',
  'net.tethering': 'A device shared its connection (hotspot)',
  'net.p2p': 'Peer-to-peer traffic',
  'net.suspended': 'A device was suspended',
  'dhcp.rogue-server': 'Another DHCP server is answering on the network',
  'dhcp.school-device-on-guest': 'A school device joined the guest network',
  'dhcp.starvation': 'A device is trying to use up the addresses',
  'dhcp.pool-exhausted': 'The network has no addresses left to give out',
  'lists.feed-failed': 'A block list could not be downloaded',
  'system.crash-restart': 'The gateway restarted after a crash',
  'system.selftest-failed': 'The filter self-test failed',
  'report.site': 'A site was reported from the block page',
  'system.break-glass': 'The break-glass recovery account was used',
  'portal.lockout': 'Voucher codes are being guessed on the guest network',
  'review.overdue': 'A weekly review was not signed off by its deadline',
};

const ROLE: Record<AlertContact['role'], string> = {
  'dsl': 'the designated safeguarding lead',
  'deputy-dsl': 'a deputy designated safeguarding lead',
  'headteacher': 'the headteacher',
  'online-safety-lead': 'the online safety lead',
  'it-provider': 'the IT provider',
  'trust-reviewer': 'the trust reviewer',
};

export const kindTitle = (kind: AlertKind): string => KIND_TITLE[kind];

/** A test names no concern, whatever kind it borrows to look like a real alert. */
const titleOf = (alert: Alert, why: DeliveryReason): string => (why === 'test' ? 'A test of alert delivery (no concern)' : kindTitle(alert.kind));

const severityLabel = (severity: AlertSeverity): string => severity.toUpperCase();

/** "Monday 7 December 2026 at 09:14:03 GMT", on the school's clocks. */
export function schoolTime(instant: string, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
  }).format(new Date(instant));
}

/** The device as the DSL knows it: its name, else its MAC, else its address (before DHCP named it). */
export function deviceLabel(alert: Pick<Alert, 'deviceName' | 'mac' | 'address'>): string {
  const label = alert.deviceName ?? alert.mac ?? alert.address;
  return label === null ? 'no particular device' : inertLine(label, 120);
}

function deviceLine(alert: Alert): string {
  const extra = [
    alert.mac !== null && alert.deviceName !== null ? `MAC ${alert.mac}` : undefined,
    alert.address !== null && (alert.deviceName !== null || alert.mac !== null) ? `address ${inertLine(alert.address, 45)}` : undefined,
  ].filter((x) => x !== undefined);
  return `${deviceLabel(alert)}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
}

export function networkLabel(alert: Pick<Alert, 'networkId'>, ctx: MessageContext): string {
  if (alert.networkId === null) return 'the gateway itself';
  const name = ctx.networks.find((n) => n.id === alert.networkId)?.name;
  return inertLine(name === undefined || name === alert.networkId ? alert.networkId : `${name} (${alert.networkId})`, 160);
}

/** The facts of the alert, one "label: value" line each, shared by the e-mail and the webhook. */
function factLines(alert: Alert, why: DeliveryReason, ctx: MessageContext): string[] {
  const lookedUp = alert.kind.startsWith('dns.') ? 'Looked up' : 'Seen';
  const rows: [string, string][] = [
    ['What', titleOf(alert, why)],
    ['Network', networkLabel(alert, ctx)],
    ['Device', deviceLine(alert)],
    ['When', schoolTime(alert.firstAt, ctx.timezone)],
  ];
  if (alert.count > 1) rows.push(['', `${alert.count} times in all, the last on ${schoolTime(alert.lastAt, ctx.timezone)}`]);
  if (alert.subject !== '') rows.push([lookedUp, inertLine(alert.subject)]);
  if (alert.category !== null) rows.push(['Category', inertLine(alert.category, 64)]);
  rows.push(['Why', inertLine(alert.reason, 500)]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 3;
  return rows.map(([label, value]) => `${(label === '' ? '' : `${label}:`).padEnd(width)}${value}`);
}

function headline(alert: Alert, why: DeliveryReason, ctx: MessageContext): string {
  if (why === 'test') return `This is a TEST alert from the Schoolgate gateway at ${inertLine(ctx.site, 120)}. Nothing has happened: it checks that alerts reach you.`;
  return `${severityLabel(alert.severity)} alert ${alert.id} from the Schoolgate gateway at ${inertLine(ctx.site, 120)}.`;
}

function howToAcknowledge(alert: Alert, why: DeliveryReason): string[] {
  if (why === 'test') return ['No action is needed. If this message reached you, alerts by this channel work.'];
  return [
    'To acknowledge it (which stops it going to the next contact), on the gateway run:',
    `    schoolgate alerts ack ${alert.id} --note "what was done"`,
  ];
}

const NOT_LINKS = 'Names and addresses above are written with [.] so that no program turns them into links: do not visit them.';

/** Why this person receives it: their role, and for an escalation, who did not answer in time. */
function addressedTo(alert: Alert, contact: AlertContact, why: DeliveryReason, ctx: MessageContext): string {
  const as = `You receive this as ${ROLE[contact.role]}.`;
  if (why !== 'escalation') return as;
  return `${as} It was sent to an earlier contact and has not been acknowledged within ${ctx.escalateAfterMinutes} minutes.`;
}

export function emailSubject(alert: Alert, why: DeliveryReason, ctx: MessageContext): string {
  const tag = why === 'test' ? 'TEST' : why === 'escalation' ? `${severityLabel(alert.severity)}, ESCALATED` : severityLabel(alert.severity);
  const subject = `[Schoolgate ${tag}] ${titleOf(alert, why)}: ${deviceLabel(alert)} on ${networkLabel(alert, ctx)}`;
  return subject.length > 200 ? `${subject.slice(0, 199)}…` : subject;
}

export function alertEmail(alert: Alert, contact: AlertContact, why: DeliveryReason, ctx: MessageContext): EmailMessage {
  const text = [
    headline(alert, why, ctx),
    '',
    ...factLines(alert, why, ctx),
    '',
    addressedTo(alert, contact, why, ctx),
    '',
    ...howToAcknowledge(alert, why),
    '',
    NOT_LINKS,
    '',
  ].join('\n');
  return { subject: emailSubject(alert, why, ctx), text };
}

/**
 * The webhook's body: the stored alert as it is (for a ticket system to file), and beside it the
 * same words the e-mail has, defanged, for a receiver that only shows text (a chat channel).
 */
export function webhookPayload(alert: Alert, why: DeliveryReason, ctx: MessageContext, deliveryId: string, sentAt: string): WebhookPayload {
  return {
    type: why === 'test' ? 'schoolgate.test' : 'schoolgate.alert',
    version: 1,
    deliveryId,
    sentAt,
    why,
    site: ctx.site,
    title: emailSubject(alert, why, ctx),
    text: [headline(alert, why, ctx), '', ...factLines(alert, why, ctx), '', ...howToAcknowledge(alert, why), '', NOT_LINKS].join('\n'),
    network: networkLabel(alert, ctx),
    device: deviceLabel(alert),
    alert,
  };
}
