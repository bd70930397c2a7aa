// The alerts' line in `schoolgate status`, the status API and the metrics: what is open, by
// severity, and how delivery is going.
import { Type, type Static } from 'typebox';

const Count = Type.Integer({ minimum: 0 });

export const AlertsStatus = Type.Object({
  open: Type.Object({ critical: Count, high: Count, medium: Count, low: Count }, { description: 'open (unacknowledged) alerts by severity' }),
  raised: Type.Integer({ minimum: 0, description: 'candidates raised by every source since start (a burst counts each)' }),
  refused: Type.Integer({ minimum: 0, description: 'candidates that were not valid alerts and were not stored (a bug in a source)' }),
  deliveries: Type.Integer({ minimum: 0, description: 'e-mails and webhook calls made since start' }),
  deliveryFailures: Type.Integer({ minimum: 0, description: 'deliveries that failed since start' }),
  delivery: Type.Boolean({ description: 'whether e-mail and webhook delivery is wired in; without it alerts are stored and listed only' }),
});
export type AlertsStatus = Static<typeof AlertsStatus>;
