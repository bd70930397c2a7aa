// The block page's access requests on the Change requests page: listed for accounts that may read
// named devices and ask for a change (monitoring.view and changes.request), each dismissed with who
// and when through the control method `access-requests.dismiss`; "Make a change request" opens the
// request form filled in, and POST /api/changes records the request made from it (routes/changes.ts).
import { AccessRequest } from '../../portal/reports-schema.ts';
import { AccessRequestPath, OpenAccessRequests } from '../api/access-requests-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { AuthError } from '../auth/errors.ts';
import { accountPermissions } from '../auth/views.ts';
import { callControl } from '../control-call.ts';
import type { FastifyRequest } from 'fastify';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };

/** A route declares one permission; these need the second too. */
export function requireChangesRequest(request: FastifyRequest): void {
  if (request.signed === undefined || !accountPermissions(request.signed.account).includes('changes.request')) {
    throw new AuthError(403, 'forbidden', 'your account cannot ask for filtering changes, so the block page\'s requests are not shown to it');
  }
}

export const accessRequestRoutes: AdminRoutes = async (app, deps) => {
  const { control } = deps.options;

  app.get('/api/access-requests', {
    schema: { response: { 200: OpenAccessRequests, ...Errors } },
    config: { permission: 'monitoring.view' },
  }, async (request) => {
    requireChangesRequest(request);
    return callControl<OpenAccessRequests>(control, request.signed, 'access-requests', {});
  });

  app.post<{ Params: AccessRequestPath }>('/api/access-requests/:id/dismiss', {
    schema: { params: AccessRequestPath, response: { 200: AccessRequest, ...Errors } },
    config: { permission: 'monitoring.view' },
  }, async (request) => {
    requireChangesRequest(request);
    return callControl(control, request.signed, 'access-requests.dismiss', { id: request.params.id });
  });
};
