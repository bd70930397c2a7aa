// The control-socket methods behind `schoolgate alerts`: the stored alerts (open ones by
// default) and their acknowledgement, which is audited under the SSH user's name in the same
// transaction. Listing is not audited: it changes nothing.
import { Type, type Static } from 'typebox';
import type { AuditLog } from '../../control/audit.ts';
import { actorOf } from '../../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../../control/server.ts';
import { AlertStateError, type AlertRepository } from '../../state/alerts.ts';
import { IsoTimestamp } from '../../state/schemas.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import { Alert, AlertSeverity } from './alert-schema.ts';

export const ALERTS_PAGE_MAX = 10_000;

export const AlertListParams = Type.Object({
  all: Type.Optional(Type.Boolean({ description: 'acknowledged alerts too (default: open ones only)' })),
  since: Type.Optional(IsoTimestamp),
  severity: Type.Optional(AlertSeverity),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: ALERTS_PAGE_MAX })),
}, { additionalProperties: false });
export type AlertListParams = Static<typeof AlertListParams>;

export const AlertListView = Type.Object({ alerts: Type.Array(Alert, { description: 'newest first' }) });
export type AlertListView = Static<typeof AlertListView>;

export const AlertAckParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  note: Type.String({ minLength: 1, maxLength: 2000, description: 'what was done about it, for the review' }),
}, { additionalProperties: false });
export type AlertAckParams = Static<typeof AlertAckParams>;

export interface AlertMethodDeps {
  alerts: Pick<AlertRepository, 'list' | 'acknowledge'>;
  audit: Pick<AuditLog, 'append'>;
  /** Runs the acknowledgement and its audit entry as one transaction (StateDatabase.transaction). */
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
}

export function registerAlertMethods(control: Pick<ControlServer, 'register'>, deps: AlertMethodDeps): void {
  control.register<AlertListParams>('alerts', {
    params: AlertListParams,
    handle: (params): AlertListView => ({
      alerts: deps.alerts.list({
        all: params.all === true,
        ...(params.since !== undefined ? { since: new Date(params.since) } : {}),
        ...(params.severity !== undefined ? { severity: params.severity } : {}),
        ...(params.limit !== undefined ? { limit: params.limit } : {}),
      }),
    }),
  });
  control.register<AlertAckParams>('alerts.ack', {
    params: AlertAckParams,
    handle: (params, caller): Alert => {
      try {
        return acknowledgeAlert(deps, params.id, actorOf(caller), params.note);
      } catch (error) {
        if (error instanceof AlertAckError) throw new ControlFailure(error.code, error.message);
        throw error;
      }
    },
  });
}

export type AlertAckFailure = 'invalid-input' | 'already-acknowledged' | 'unknown-alert';

export class AlertAckError extends Error {
  override name = 'AlertAckError';
  readonly code: AlertAckFailure;
  constructor(code: AlertAckFailure, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Acknowledges one alert with a note and audits it under `actor`, in one transaction: the one
 * implementation behind `schoolgate alerts ack` (ssh:USER) and the web UI (account:USERNAME).
 */
export function acknowledgeAlert(deps: Pick<AlertMethodDeps, 'alerts' | 'audit' | 'transaction' | 'now'>, id: number, actor: string, rawNote: string): Alert {
  const note = rawNote.trim();
  if (note === '') throw new AlertAckError('invalid-input', 'the note must say what was done about the alert');
  try {
    return deps.transaction(() => {
      const alert = deps.alerts.acknowledge(id, actor, note, deps.now());
      deps.audit.append({ actor, action: 'alert.acknowledge', subject: `alert ${alert.id}`, details: { kind: alert.kind, severity: alert.severity, note } });
      return alert;
    });
  } catch (error) {
    if (error instanceof AlertStateError) throw new AlertAckError('already-acknowledged', error.message);
    if (error instanceof NotFoundError) throw new AlertAckError('unknown-alert', error.message);
    if (error instanceof InvalidInputError) throw new AlertAckError('invalid-input', error.message);
    throw error;
  }
}
