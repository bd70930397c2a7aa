// The gateway's notable events as the fleet's outputs (syslog today) take them: one small shape,
// and one emitter any part of the daemon can feed. Alerts, list refreshes and audit-log entries arrive through
// the adapters below (fleet-wiring.ts connects them); anything else worth a trust's attention
// that is not audited is emitted directly with emit(). The text, for people, is made inert (no
// link a collector's UI could open) and flattened to one line; the params stay as recorded, for
// the collector to match on.
import type { AuditEntry } from '../control/audit-chain.ts';
import type { Alert, AlertSeverity } from '../monitor/alerts/alert-schema.ts';
import type { FeedUpdateResult } from '../rules/feeds/types.ts';
import { inertLine } from '../monitor/alerts/delivery/inert-text.ts';
import { kindTitle } from '../monitor/alerts/delivery/message.ts';
import type { SyslogSeverity } from './syslog-message.ts';

export interface GatewayEvent {
  at: Date;
  /** What kind of event: the syslog MSGID ("alert", "audit", …), at most 32 visible ASCII characters. */
  type: string;
  severity: SyslogSeverity;
  /** Machine-readable facts, the structured data's params (after the school's own). */
  params: readonly (readonly [name: string, value: string])[];
  /** One line for a person. */
  text: string;
}

export type GatewayEventListener = (event: GatewayEvent) => void;

export class GatewayEvents {
  readonly #listeners = new Set<GatewayEventListener>();

  /** Returns the function that stops listening. */
  on(listener: GatewayEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener; a listener that throws is reported through `onError` and the others still hear. */
  emit(event: GatewayEvent, onError: (err: unknown) => void = () => undefined): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        onError(err);
      }
    }
  }
}

/** An alert's severity as syslog's: a critical alert is what "crit" is for; low is still worth a notice. */
export const ALERT_SYSLOG_SEVERITY: Record<AlertSeverity, SyslogSeverity> = {
  critical: 'crit',
  high: 'err',
  medium: 'warning',
  low: 'notice',
};

const instant = (iso: string): Date => new Date(iso);

/** A new alert, as the trust's collector files it. */
export function alertEvent(alert: Alert, networkName: (id: string) => string | undefined): GatewayEvent {
  const network = alert.networkId === null ? '' : (networkName(alert.networkId) ?? alert.networkId);
  const device = alert.deviceName ?? alert.mac ?? alert.address ?? '';
  return {
    at: instant(alert.firstAt),
    type: 'alert',
    severity: ALERT_SYSLOG_SEVERITY[alert.severity],
    params: [
      ['alert', String(alert.id)],
      ['kind', alert.kind],
      ['severity', alert.severity],
      ['network', alert.networkId ?? ''],
      // The params are data for the collector to match on, so raw (escaped by the formatter); the text is for people, so inert.
      ['device', alert.deviceName ?? ''],
      ['mac', alert.mac ?? ''],
      ['address', alert.address ?? ''],
      ['category', alert.category ?? ''],
      ['count', String(alert.count)],
    ],
    text: [
      `${alert.severity.toUpperCase()} alert ${alert.id}: ${kindTitle(alert.kind)}`,
      device === '' ? '' : ` by ${inertLine(device, 120)}`,
      network === '' ? '' : ` on ${inertLine(network, 64)}`,
      alert.subject === '' ? '' : `: ${inertLine(alert.subject, 300)}`,
      ` (${inertLine(alert.reason, 500)})`,
    ].join(''),
  };
}

/** A subscribed list's new copy, put in service (a failed download is an alert, lists.feed-failed). */
export function listUpdatedEvent(list: { id: string; name: string; feed: { url: string } }, result: FeedUpdateResult): GatewayEvent {
  const host = URL.parse(list.feed.url)?.host ?? '';
  return {
    at: new Date(result.at),
    type: 'lists',
    severity: 'info',
    params: [
      ['list', list.id],
      ['outcome', result.outcome],
      ['entries', result.entries === undefined ? '' : String(result.entries)],
      ['badLines', result.badLines === undefined ? '' : String(result.badLines)],
      ['sha256', result.sha256 ?? ''],
      ['source', host],
    ],
    text: `list ${inertLine(list.name, 120)} (${list.id}) refreshed from ${inertLine(host, 120)}: ${result.entries ?? '?'} entries${result.badLines ? `, ${result.badLines} bad lines skipped` : ''}`,
  };
}

/** Actions a trust should see above the ordinary: something failed, or someone was refused. */
const NOTICE = /(^daemon\.|^config\.|^upgrade\.|^backup\.|^restore\.|\.break-glass|^account\.(lockout|login-failed|login-refused)|^setup\.refused$)/;

/** An audit-log entry (a change, a sign-in, an acknowledgement, the daemon starting or stopping). */
export function auditEvent(entry: AuditEntry): GatewayEvent {
  const details = entry.details === null || entry.details === undefined ? '' : JSON.stringify(entry.details);
  return {
    at: instant(entry.at),
    type: 'audit',
    severity: NOTICE.test(entry.action) ? 'notice' : 'info',
    params: [
      ['seq', String(entry.seq)],
      ['action', entry.action],
      ['actor', entry.actor],
      ['subject', entry.subject ?? ''],
    ],
    text: `${entry.action} by ${inertLine(entry.actor, 128)}${entry.subject === null ? '' : ` on ${inertLine(entry.subject, 200)}`}${details === '' || details === '{}' ? '' : ` ${inertLine(details, 2000)}`}`,
  };
}
