// Vouchers in the web UI (issue #21): the office's single-use vouchers (who got each, a slip to
// print, revoke), staff's group and event vouchers (a printable sheet, the group revoked as one)
// and regular visitors (a code for the term, renewed or withdrawn by the sponsor or the DSL).
// Issuing and revoking vouchers goes through the control methods `schoolgate vouchers` uses, as
// the signed-in account; regular visitors through the registration desk, like the visitor queue.
// A code is in the answer that issued it and nowhere else.
import { Type, type Static } from 'typebox';
import { ApiError } from '../api/session-schema.ts';
import {
  GroupForm, GroupIssued, GroupList, OfficeVoucherForm, OfficeVoucherIssued, Reason, RegularCreated, RegularList, RegularVisitor, RegularVisitorForm, Renewal,
  VoucherGroup, VoucherList, Voucher, type SlipCommon,
} from '../api/vouchers-schema.ts';
import { AuthError } from '../auth/errors.ts';
import type { Signed } from '../auth/authenticator.ts';
import { callControl } from '../control-call.ts';
import { permissionsOf } from '../roles.ts';
import { ForbiddenError } from '../../portal/registration/errors.ts';
import type { RegistrationService } from '../../portal/registration/service.ts';
import type { VoucherGroupIssued, VoucherGroupsView, VoucherIssued, VoucherRevoked, VouchersView, VoucherGroupRevoked } from '../../portal/vouchers/methods.ts';
import { TERMS_SUMMARY } from '../../portal/captive/settings.ts';
import { portalAddress, slipFor, termsSummary } from '../../portal/vouchers/slip.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
type IdParams = Static<typeof IdParams>;

function signedIn(signed: Signed | undefined): Signed {
  if (!signed) throw new AuthError(401, 'signed-out', 'sign in first');
  return signed;
}

/** Who sees and revokes every group: the office and the DSL; a sponsor, their own. */
const seesAllGroups = (s: Signed) => { const p = permissionsOf(s.account.roles); return p.has('vouchers.issue') || p.has('visitors.manage'); };

export const voucherRoutes: AdminRoutes = async (app, deps) => {
  const common = (): { common: SlipCommon; portal: string | null } => {
    const config = deps.options.config?.current();
    const portal = config ? portalAddress(config) : null;
    return { portal, common: { site: deps.options.site().name, portal, termsSummary: config ? termsSummary(config) : TERMS_SUMMARY } };
  };
  const desk = (): RegistrationService => {
    if (!deps.options.visitors) throw new AuthError(503, 'no-portal', 'the visitor portal is not running on this gateway');
    return deps.options.visitors;
  };
  /** The desk's refusals as the API's errors; an invalid choice of date belongs beside its field. */
  const mapped = async <T>(fn: () => T | Promise<T>, field?: string): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ForbiddenError) throw new AuthError(403, 'forbidden', err.message);
      if (err instanceof NotFoundError) throw new AuthError(404, 'not-found', err.message);
      if (err instanceof InvalidInputError) throw new AuthError(field ? 400 : 409, field ? 'invalid' : 'conflict', err.message, field ? { [field]: err.message } : undefined);
      throw err;
    }
  };

  app.get('/api/vouchers', {
    schema: { response: { 200: VoucherList, ...Errors } },
    config: { permission: 'vouchers.issue' },
  }, async (request) => {
    const view = await callControl<VouchersView>(deps.options.control, request.signed, 'vouchers', { all: true });
    return { vouchers: view.vouchers, visitors: view.visitors ?? [] };
  });

  app.post<{ Body: OfficeVoucherForm }>('/api/vouchers', {
    schema: { body: OfficeVoucherForm, response: { 200: OfficeVoucherIssued, ...Errors } },
    config: { permission: 'vouchers.issue' },
  }, async (request) => {
    const issued = await callControl<VoucherIssued>(deps.options.control, request.signed, 'vouchers.issue', { kind: 'single', ...request.body }, 'validSeconds');
    const { portal, common: c } = common();
    return { voucher: issued.voucher, recipient: request.body.recipient, slip: { voucherId: issued.voucher.id, ...(await slipFor(issued.code, portal)) }, common: c };
  });

  app.post<{ Params: IdParams; Body: Reason }>('/api/vouchers/:id/revoke', {
    schema: { params: IdParams, body: Reason, response: { 200: Voucher, ...Errors } },
    config: { permission: 'vouchers.issue' },
  }, async (request) => (await callControl<VoucherRevoked>(deps.options.control, request.signed, 'vouchers.revoke', { id: request.params.id, reason: request.body.reason }, 'reason')).voucher);

  app.get('/api/vouchers/groups', {
    schema: { response: { 200: GroupList, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => {
    const signed = signedIn(request.signed);
    return callControl<VoucherGroupsView>(deps.options.control, signed, 'vouchers.groups', seesAllGroups(signed) ? {} : { issuedBy: `account:${signed.account.username}` });
  });

  app.post<{ Body: GroupForm }>('/api/vouchers/groups', {
    schema: { body: GroupForm, response: { 200: GroupIssued, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => {
    const { name, count, validFrom, validUntil, maxDevices } = request.body;
    const now = deps.options.now?.() ?? new Date();
    const from = Math.max(Date.parse(validFrom), now.getTime());
    const seconds = Math.floor((Date.parse(validUntil) - from) / 1000);
    if (seconds < 60) throw new AuthError(400, 'invalid', 'the vouchers must end after they start, and later than now', { validUntil: 'choose an end after the start, and later than now' });
    const issued = await callControl<VoucherGroupIssued>(deps.options.control, request.signed, 'vouchers.issue-group', {
      name, count, maxDevices, validSeconds: seconds, ...(Date.parse(validFrom) > now.getTime() ? { validFrom } : {}),
    }, 'validUntil');
    const { portal, common: c } = common();
    const slips = [];
    for (const { voucherId, code } of issued.codes) slips.push({ voucherId, ...(await slipFor(code, portal)) });
    return { group: issued.group, slips, common: c };
  });

  app.post<{ Params: IdParams; Body: Reason }>('/api/vouchers/groups/:id/revoke', {
    schema: { params: IdParams, body: Reason, response: { 200: VoucherGroup, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => {
    const signed = signedIn(request.signed);
    if (!seesAllGroups(signed)) {
      const own = await callControl<VoucherGroupsView>(deps.options.control, signed, 'vouchers.groups', { issuedBy: `account:${signed.account.username}` });
      if (!own.groups.some((g) => g.id === request.params.id)) throw new AuthError(403, 'forbidden', 'only the member of staff who issued a group, the office or the DSL revokes it');
    }
    return (await callControl<VoucherGroupRevoked>(deps.options.control, signed, 'vouchers.revoke-group', { id: request.params.id, reason: request.body.reason }, 'reason')).group;
  });

  app.get('/api/visitors/regular', {
    schema: { response: { 200: RegularList, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => ({ visitors: desk().regular.list(signedIn(request.signed).account) }));

  app.post<{ Body: RegularVisitorForm }>('/api/visitors/regular', {
    schema: { body: RegularVisitorForm, response: { 200: RegularCreated, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => {
    const issued = await mapped(() => desk().regular.issue(signedIn(request.signed).account, request.body), 'until');
    const { portal, common: c } = common();
    return { issued, slip: { voucherId: issued.voucher.id, ...(await slipFor(issued.code, portal)) }, common: c };
  });

  app.post<{ Params: IdParams; Body: Renewal }>('/api/visitors/regular/:id/renew', {
    schema: { params: IdParams, body: Renewal, response: { 200: RegularVisitor, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => mapped(() => desk().regular.renew(signedIn(request.signed).account, request.params.id, request.body.until), 'until'));

  app.post<{ Params: IdParams; Body: Reason }>('/api/visitors/regular/:id/withdraw', {
    schema: { params: IdParams, body: Reason, response: { 200: RegularVisitor, ...Errors } },
    config: { permission: 'visitors.sponsor' },
  }, async (request) => mapped(() => desk().regular.withdraw(signedIn(request.signed).account, request.params.id, request.body.reason)));
};
