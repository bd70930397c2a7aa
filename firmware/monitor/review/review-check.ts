// `review.check` (`schoolgate review check`): the reminder and overdue check run now rather than at
// the next five-minute tick: the technician's way to prove the mail path after setting
// alerts.email up. It sends only what is due and not yet sent (the notifier's once-per-week rule),
// so running it again sends nothing; each run is audited under the caller's name with what it sent.
import type { ReviewCheckResult } from '../../admin/api/review-schema.ts';
import type { AuditLog } from '../../control/audit.ts';
import { actorOf } from '../../control/protocol.ts';
import type { ControlServer } from '../../control/server.ts';
import type { NoticeSent } from './review-notifier.ts';

export function checkResult(sent: readonly NoticeSent[], at: Date): ReviewCheckResult {
  return {
    at: at.toISOString(),
    sent: sent.map((s) => ({
      week: s.notice.week, kind: s.notice.kind, dueAt: new Date(s.notice.dueAt).toISOString(), alert: s.alert?.id ?? null,
      deliveries: s.deliveries.map((d) => ({ channel: d.channel, to: d.to, ok: d.ok, ...(d.error !== undefined ? { error: d.error } : {}) })),
    })),
  };
}

export function registerReviewCheck(control: Pick<ControlServer, 'register'>, deps: {
  notifier: { run(): Promise<NoticeSent[]> }; audit: Pick<AuditLog, 'append'>; now: () => Date;
}): void {
  control.register('review.check', {
    handle: async (_params, caller): Promise<ReviewCheckResult> => {
      const result = checkResult(await deps.notifier.run(), deps.now());
      deps.audit.append({
        actor: actorOf(caller), action: 'review.check',
        details: { sent: result.sent.map((s) => ({ week: s.week, kind: s.kind, alert: s.alert, delivered: s.deliveries.filter((d) => d.ok).length, failed: s.deliveries.filter((d) => !d.ok).length })) },
      });
      return result;
    },
  });
}
