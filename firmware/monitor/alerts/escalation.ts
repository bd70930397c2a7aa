// When a critical alert goes to the next contact: still open escalateAfterMinutes after it was
// last sent, to the next person in alerts.contacts, until the list ends. A pure decision on the
// stored alerts and `now`; the alert service runs it every minute and records each delivery.
import type { Alert } from './alert-schema.ts';

export const DEFAULT_ESCALATE_AFTER_MINUTES = 30;

export interface Escalation {
  alert: Alert;
  /** The contact index it goes to now (escalationLevel + 1). */
  level: number;
}

export function escalationsDue(open: readonly Alert[], contacts: number, escalateAfterMinutes: number, now: Date): Escalation[] {
  const due: Escalation[] = [];
  const waitMs = escalateAfterMinutes * 60_000;
  for (const alert of open) {
    if (alert.status !== 'open' || alert.severity !== 'critical') continue;
    const level = alert.escalationLevel + 1;
    if (level >= contacts) continue;
    const since = Date.parse(alert.notifiedAt ?? alert.firstAt);
    if (now.getTime() - since >= waitMs) due.push({ alert, level });
  }
  return due;
}
