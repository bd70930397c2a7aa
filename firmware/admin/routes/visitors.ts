// Visitors (issue #21): the sponsor's queue (requests naming them; every pending one for
// visitors.manage), approve and decline, withdrawal, the records page (visitors.manage), and the
// account's own sponsor code. The rules are RegistrationService's; this only maps them to HTTP.
import { Type, type Static } from 'typebox';
import { ApiError } from '../api/session-schema.ts';
import { Approval, ApprovalResult, Reason, SponsorCodeBody, SponsorCodeState, VisitorQueue, VisitorRecord, VisitorRequest } from '../api/visitors-schema.ts';
import { AuthError } from '../auth/errors.ts';
import type { Signed } from '../auth/authenticator.ts';
import { ForbiddenError, type RegistrationService } from '../../portal/registration/service.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
type IdParams = Static<typeof IdParams>;

function signedIn(signed: Signed | undefined): Signed {
  if (!signed) throw new AuthError(401, 'signed-out', 'sign in first');
  return signed;
}

/** The service's refusals as the API's errors. */
async function mapped<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ForbiddenError) throw new AuthError(403, 'forbidden', err.message);
    if (err instanceof NotFoundError) throw new AuthError(404, 'not-found', err.message);
    if (err instanceof InvalidInputError) throw new AuthError(409, 'conflict', err.message);
    throw err;
  }
}

export const visitorRoutes: AdminRoutes = async (app, deps) => {
  const desk = (): RegistrationService => {
    if (!deps.options.visitors) throw new AuthError(503, 'no-portal', 'the visitor portal is not running on this gateway');
    return deps.options.visitors;
  };

  app.get('/api/visitors/queue', {
    schema: { response: { 200: VisitorQueue, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => {
    const { account } = signedIn(request.signed);
    return { requests: desk().queue(account), pending: desk().pendingCount(account) };
  });

  app.post<{ Params: IdParams; Body: Approval }>('/api/visitors/:id/approve', {
    schema: { params: IdParams, body: Approval, response: { 200: ApprovalResult, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => mapped(async () => {
    const r = await desk().approve(signedIn(request.signed).account, request.params.id, request.body);
    return { request: r.request, voucher: r.voucher, deviceOnline: r.signedIn.outcome === 'signed-in' };
  }));

  app.post<{ Params: IdParams; Body: Reason }>('/api/visitors/:id/decline', {
    schema: { params: IdParams, body: Reason, response: { 200: VisitorRequest, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => mapped(() => desk().decline(signedIn(request.signed).account, request.params.id, request.body.reason)));

  app.post<{ Params: IdParams; Body: Reason }>('/api/visitors/:id/withdraw', {
    schema: { params: IdParams, body: Reason, response: { 200: VisitorRequest, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => mapped(() => desk().withdraw(signedIn(request.signed).account, request.params.id, request.body.reason)));

  app.get('/api/visitors/records', {
    schema: { response: { 200: Type.Array(VisitorRecord), ...Errors } },
    config: { permission: 'visitors.manage' },
  }, async () => desk().records());

  app.get('/api/visitors/sponsor-code', {
    schema: { response: { 200: SponsorCodeState, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => ({ setAt: desk().sponsorCodeSetAt(signedIn(request.signed).account) }));

  app.put<{ Body: SponsorCodeBody }>('/api/visitors/sponsor-code', {
    schema: { body: SponsorCodeBody, response: { 200: SponsorCodeState, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => {
    try {
      return desk().setSponsorCode(signedIn(request.signed).account, request.body.code);
    } catch (err) {
      // A code too easy to guess is the field's fault: said beside it.
      if (err instanceof InvalidInputError) throw new AuthError(400, 'invalid', err.message, { code: err.message });
      return mapped(() => { throw err; });
    }
  });
};
