// The shape of an alert: what the sources raise (a candidate) and what the store keeps and the
// CLI, the web UI, e-mail and the webhook show. One file, so that every surface names the same
// fields; the weekly review and incidents will read these records as they are.
import { Type, type Static } from 'typebox';
import type { AlertContact } from '../../config/alerts-schema.ts';

/** Most severe first. Critical alerts are delivered at once; the rest wait for the weekly review. */
export const ALERT_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
// Written out, not mapped from ALERT_SEVERITIES: a mapped array is no tuple, and its Static is never.
export const AlertSeverity = Type.Union([Type.Literal('critical'), Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')], { description: 'critical: delivered at once and escalated; high, medium, low: gathered for the weekly review' });
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const AlertKind = Type.Union([
  Type.Literal('dns.restricted'),        // a restricted (illegal-content) list, or the upstream provider's block answer
  Type.Literal('dns.category'),          // a blocked category whose severity asks for an alert
  Type.Literal('dns.watch'),             // an allowed visit to a watched category or name
  Type.Literal('dns.keyword'),           // a name looked up matched a keyword list
  Type.Literal('dns.bypass'),            // a canary or a bypass-category name (DoH, VPN, proxy)
  Type.Literal('dns.rate-limited'),      // a storm of questions from one device
  Type.Literal('net.bypass'),            // DoT or a learned DoH/VPN/proxy address refused by the firewall
  Type.Literal('net.tethering'),
  Type.Literal('net.p2p'),
  Type.Literal('net.suspended'),
  Type.Literal('dhcp.rogue-server'),
  Type.Literal('dhcp.school-device-on-guest'),
  Type.Literal('dhcp.starvation'),
  Type.Literal('dhcp.pool-exhausted'),
  Type.Literal('lists.feed-failed'),
  Type.Literal('system.crash-restart'),
  Type.Literal('system.selftest-failed'),
  Type.Literal('report.site'),           // someone sent "report this" from the block page
  Type.Literal('system.break-glass'),    // the recovery account from the school safe signed in or acted
  Type.Literal('portal.lockout'),        // a guest device (or all guests) locked out of the portal for guessing voucher codes
  Type.Literal('review.overdue'),        // a weekly review not signed off by its deadline
], { description: 'what raised the alert' });
export type AlertKind = Static<typeof AlertKind>;

const Mac = Type.String({ pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$' });
const Instant = Type.String({ format: 'date-time' });

/** What a source raises; the alert service de-duplicates, stores and delivers it. */
export const AlertCandidate = Type.Object({
  kind: AlertKind,
  severity: AlertSeverity,
  at: Instant,
  networkId: Type.Union([Type.String(), Type.Null()]),
  mac: Type.Union([Mac, Type.Null()], { description: 'the device, once DHCP knows it' }),
  address: Type.Union([Type.String({ maxLength: 45 }), Type.Null()], { description: 'the source address, which names the device until DHCP does' }),
  subject: Type.String({ maxLength: 300, description: 'what was looked up or seen, as inert text (a restricted entry is never shown: its list is)' }),
  reason: Type.String({ minLength: 1, maxLength: 500, description: 'why this is an alert, in words a DSL reads' }),
  category: Type.Optional(Type.String({ maxLength: 64 })),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'occurrences this candidate stands for (a source that merged a burst itself); 1 when absent' })),
}, { additionalProperties: false });
export type AlertCandidate = Static<typeof AlertCandidate>;

export const AlertStatus = Type.Union([Type.Literal('open'), Type.Literal('acknowledged')]);
export type AlertStatus = Static<typeof AlertStatus>;

/** A stored alert: a burst of one kind from one device is one alert with a count. */
export const Alert = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  kind: AlertKind,
  severity: AlertSeverity,
  firstAt: Instant,
  lastAt: Instant,
  count: Type.Integer({ minimum: 1 }),
  networkId: Type.Union([Type.String(), Type.Null()]),
  mac: Type.Union([Mac, Type.Null()]),
  address: Type.Union([Type.String({ maxLength: 45 }), Type.Null()]),
  deviceName: Type.Union([Type.String(), Type.Null()], { description: "the device's name in the device table, when it has one" }),
  subject: Type.String({ maxLength: 300 }),
  reason: Type.String({ maxLength: 500 }),
  category: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  status: AlertStatus,
  acknowledgedAt: Type.Union([Instant, Type.Null()]),
  acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]),
  escalationLevel: Type.Integer({ minimum: 0, description: 'the index in alerts.contacts of the last contact it was sent to' }),
  notifiedAt: Type.Union([Instant, Type.Null()], { description: 'when it was last delivered (critical alerts), null if never' }),
}, { additionalProperties: false });
export type Alert = Static<typeof Alert>;

/** Why an alert is being sent: a new critical alert, or one escalated to the next contact. */
export type DeliveryReason = 'new' | 'escalation' | 'test';

export interface DeliveryOutcome {
  channel: 'email' | 'webhook';
  /** The contact's name for e-mail, the URL's host for the webhook. */
  to: string;
  ok: boolean;
  /** Why it failed, for the log and `schoolgate status`. */
  error?: string;
}

/**
 * How the alert service hands an alert to the outside world (e-mail to the contacts given, and the
 * webhook). Implemented in monitor/delivery/; the alert service decides who and when.
 */
export interface AlertDelivery {
  deliver(alert: Alert, recipients: readonly AlertContact[], why: DeliveryReason): Promise<DeliveryOutcome[]>;
}
