// `schoolgate alerts` for a person on an SSH session. What was looked up is shown as inert text:
// control characters (a name from the wire can hold escapes) are replaced, nothing is a link.
import type { Alert } from '../monitor/alerts/alert-schema.ts';
import { when } from './format-devices.ts';

/** Text safe to print on a terminal: no control or escape characters. */
export function inert(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** The device as staff know it: its name, else its MAC, else its address until DHCP names it. */
export function deviceOf(alert: Pick<Alert, 'deviceName' | 'mac' | 'address'>): string {
  if (alert.deviceName) return `${inert(alert.deviceName)} (${alert.mac})`;
  return alert.mac ?? alert.address ?? '-';
}

export function formatAlerts(alerts: readonly Alert[], all: boolean): string {
  if (alerts.length === 0) return all ? 'No alerts stored.\n' : 'No open alerts.\n';
  const blocks = alerts.map((a) => {
    const times = a.count > 1 ? `${a.count} times, ${when(a.firstAt)} to ${when(a.lastAt)}` : when(a.lastAt);
    const lines = [
      `#${a.id}  ${a.severity.toUpperCase()}  ${a.kind}  ${times}`,
      `    network ${a.networkId ?? '-'}, device ${deviceOf(a)}`,
      `    looked up / seen: ${inert(a.subject)}`,
      `    why: ${inert(a.reason)}`,
    ];
    const subjects = Array.isArray(a.details.subjects) ? (a.details.subjects as unknown[]).map(String).filter((s) => s !== a.subject) : [];
    if (subjects.length > 0) lines.push(`    also: ${subjects.map(inert).join(', ')}`);
    if (a.severity === 'critical' && a.status === 'open') lines.push(`    sent: ${a.notifiedAt ? `to contact ${a.escalationLevel + 1} at ${when(a.notifiedAt)}` : 'not sent (no delivery configured)'}`);
    if (a.status === 'acknowledged') lines.push(`    acknowledged by ${a.acknowledgedBy} at ${when(a.acknowledgedAt)}: ${inert(a.note ?? '')}`);
    return lines.join('\n');
  });
  const open = alerts.filter((a) => a.status === 'open').length;
  return `${blocks.join('\n\n')}\n\n${alerts.length} alert${alerts.length === 1 ? '' : 's'}${all ? `, ${open} open` : ''}. Acknowledge one with: schoolgate alerts ack ID --note "what was done"\n`;
}

export function formatAcknowledged(alert: Alert): string {
  return `Alert #${alert.id} (${alert.kind}) acknowledged by ${alert.acknowledgedBy} at ${when(alert.acknowledgedAt)}. Recorded in the audit log under your name.\n`;
}
