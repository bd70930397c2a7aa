// The audit log (audit.view): search it and verify its hash chain through the same control
// methods as `schoolgate audit` and `schoolgate audit verify`. Reading is not itself audited.
import { ApiError } from '../api/session-schema.ts';
import { AuditListParams, AuditListView, AuditVerdict } from '../api/audit-schema.ts';
import { callControl } from '../control-call.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 503: ApiError };

export const auditRoutes: AdminRoutes = async (app, deps) => {
  const control = deps.options.control;

  app.get<{ Querystring: AuditListParams }>('/api/audit', {
    schema: { querystring: AuditListParams, response: { 200: AuditListView, ...Errors } },
    config: { permission: 'audit.view' },
  }, async (request) => callControl<AuditListView>(control, request.signed, 'audit.list', request.query));

  app.get('/api/audit/verify', {
    schema: { response: { 200: AuditVerdict, ...Errors } },
    config: { permission: 'audit.view' },
  }, async (request) => callControl<AuditVerdict>(control, request.signed, 'audit.verify', {}));
};
