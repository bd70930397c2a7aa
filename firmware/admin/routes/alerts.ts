// Alerts: the stored alerts with the page's filters (monitoring.view), and an acknowledgement
// with a note (monitoring.review), through the same function as `schoolgate alerts ack`, audited
// as account:USERNAME.
import { Alert } from '../../monitor/alerts/alert-schema.ts';
import { acknowledgeAlert, AlertAckError, AlertListView } from '../../monitor/alerts/alert-methods.ts';
import { AlertAckBody, AlertIdParams, AlertsQuery } from '../api/alerts-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { actorOf } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import type { AdminRoutes } from '../route-deps.ts';
import { monitorOf } from './monitor-sources.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };
const STATUS_OF: Record<AlertAckError['code'], number> = { 'invalid-input': 400, 'unknown-alert': 404, 'already-acknowledged': 409 };

export const alertRoutes: AdminRoutes = async (app, deps) => {
  const now = deps.options.now ?? (() => new Date());

  app.get('/api/alerts', {
    schema: { querystring: AlertsQuery, response: { 200: AlertListView, ...Errors } },
    config: { permission: 'monitoring.view' },
  }, async (request) => {
    const query = request.query as AlertsQuery;
    return {
      alerts: monitorOf(deps).alerts.list({
        all: query.status === 'all',
        ...(query.severity !== undefined ? { severity: query.severity } : {}),
        ...(query.kind !== undefined ? { kind: query.kind } : {}),
        ...(query.network !== undefined ? { networkId: query.network } : {}),
      }),
    };
  });

  app.post('/api/alerts/:id/ack', {
    schema: { params: AlertIdParams, body: AlertAckBody, response: { 200: Alert, ...Errors } },
    config: { permission: 'monitoring.review' },
  }, async (request) => {
    const { id } = request.params as { id: number };
    const { note } = request.body as AlertAckBody;
    const monitor = monitorOf(deps);
    try {
      return acknowledgeAlert({ alerts: monitor.alerts, audit: deps.options.audit, transaction: deps.options.transaction, now }, id, actorOf(request.signed!.account), note);
    } catch (error) {
      if (error instanceof AlertAckError) {
        throw new AuthError(STATUS_OF[error.code], error.code, error.message, error.code === 'invalid-input' ? { note: error.message } : undefined);
      }
      throw error;
    }
  });
};
