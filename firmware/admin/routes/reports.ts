// The Reports page's routes, through the same control methods as `schoolgate reports …`: the
// summary and the governor report for whoever holds reports.anonymised (governors included: they
// hold counts only), exports for those who may see named devices (monitoring.view). An export is
// a POST: its passphrase travels in the body, never in a URL a log or a browser history keeps.
// Sending the governor report now is for those who answer for the monitoring (monitoring.review:
// the headteacher, the DSL, the online-safety lead), not for governors, who receive it.
import { ApiError } from '../api/session-schema.ts';
import {
  AssuranceSummary, GovernorReport, GovernorReportParams, GovernorSendParams, GovernorSendResult, RecordsExportParams, SealedFile,
} from '../api/reports-schema.ts';
import { callControl } from '../control-call.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };

export const reportRoutes: AdminRoutes = async (app, deps) => {
  const control = deps.options.control;

  app.get('/api/reports/summary', {
    schema: { response: { 200: AssuranceSummary, ...Errors } },
    config: { permission: 'reports.anonymised' },
  }, async (request) => callControl<AssuranceSummary>(control, request.signed, 'reports.summary', {}));

  app.get<{ Querystring: GovernorReportParams }>('/api/reports/governor', {
    schema: { querystring: GovernorReportParams, response: { 200: GovernorReport, ...Errors } },
    config: { permission: 'reports.anonymised' },
  }, async (request) => callControl<GovernorReport>(control, request.signed, 'reports.governor', request.query));

  app.post<{ Body: GovernorSendParams }>('/api/reports/governor/send', {
    schema: { body: GovernorSendParams, response: { 200: GovernorSendResult, ...Errors } },
    config: { permission: 'monitoring.review' },
  }, async (request) => callControl<GovernorSendResult>(control, request.signed, 'reports.governor.send', request.body));

  app.post<{ Body: RecordsExportParams }>('/api/reports/export', {
    schema: { body: RecordsExportParams, response: { 200: SealedFile, ...Errors } },
    config: { permission: 'monitoring.view' },
  }, async (request) => callControl<SealedFile>(control, request.signed, 'reports.export', request.body));
};
