// The annual review (issue #23): the reviews and the pack for whoever reads anonymised reports
// (governors included), and opening a review, recording its participants, their sign-offs and an
// external filter test for those who sign off the weekly review. Every change goes through the
// same control methods as `schoolgate annual …`, audited as account:USERNAME.
import { PACK_CSP } from '../../monitor/annual/pack-style.ts';
import type { PackResult } from '../../monitor/annual/annual-schema.ts';
import { SelftestHistory } from '../../monitor/selftest/selftest-schema.ts';
import {
  AddExternalParams, AnnualReview, AnnualReviewList, AnnualView, DataStatement, ExternalTest, OpenReviewParams, PackQuery, Participant, ParticipantBody,
  SignOff, SignOffBody, YearPath,
} from '../api/annual-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { callControl } from '../control-call.ts';
import { accountPermissions } from '../auth/views.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };

export const annualRoutes: AdminRoutes = async (app, deps) => {
  const control = deps.options.control;

  app.get('/api/annual', {
    schema: { response: { 200: AnnualView, ...Errors } },
    config: { permission: 'reports.anonymised' },
  }, async (request): Promise<AnnualView> => {
    const list = await callControl<AnnualReviewList>(control, request.signed, 'annual.list', {});
    const history = await callControl<SelftestHistory>(control, request.signed, 'selftest.history', { limit: 200 });
    const networks = deps.options.config?.current().networks.map((n) => ({ id: n.id, name: n.name })) ?? [];
    const canRecord = request.signed ? accountPermissions(request.signed.account).includes('monitoring.review') : false;
    return { ...list, external: history.external, networks, canRecord };
  });

  app.post<{ Body: OpenReviewParams }>('/api/annual', {
    schema: { body: OpenReviewParams, response: { 200: AnnualReview, ...Errors } },
    config: { permission: 'monitoring.review' },
  }, async (request) => callControl<AnnualReview>(control, request.signed, 'annual.open', request.body, 'year'));

  app.post<{ Params: YearPath; Body: ParticipantBody }>('/api/annual/:year/participants', {
    schema: { params: YearPath, body: ParticipantBody, response: { 200: Participant, ...Errors } },
    config: { permission: 'monitoring.review' },
  }, async (request) => callControl<Participant>(control, request.signed, 'annual.participant', { ...request.body, year: request.params.year }, 'name'));

  app.post<{ Params: YearPath; Body: SignOffBody }>('/api/annual/:year/sign-offs', {
    schema: { params: YearPath, body: SignOffBody, response: { 200: SignOff, ...Errors } },
    config: { permission: 'monitoring.review' },
  }, async (request) => callControl<SignOff>(control, request.signed, 'annual.sign-off', { ...request.body, year: request.params.year }, 'signedOn'));

  app.post<{ Body: AddExternalParams }>('/api/annual/external', {
    schema: { body: AddExternalParams, response: { 200: ExternalTest, ...Errors } },
    config: { permission: 'monitoring.review' },
  }, async (request) => callControl<ExternalTest>(control, request.signed, 'selftest.external.add', request.body, 'testedOn'));

  app.get('/api/annual/statement', {
    schema: { response: { 200: DataStatement, ...Errors } },
    config: { permission: 'reports.anonymised' },
  }, async (request) => callControl<DataStatement>(control, request.signed, 'annual.statement', {}));

  // The whole pack as one document: viewed in its own tab and printed, or saved (download=1). It
  // carries its own CSP (its hashed style, nothing else), replacing the UI's.
  app.get<{ Querystring: PackQuery }>('/api/annual/pack', {
    schema: { querystring: PackQuery, response: { ...Errors } },
    config: { permission: 'reports.anonymised' },
  }, async (request, reply) => {
    const pack = await callControl<PackResult>(control, request.signed, 'annual.pack', { year: request.query.year }, 'year');
    reply.header('content-security-policy', PACK_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8');
    if (request.query.download === '1') reply.header('content-disposition', `attachment; filename="annual-review-${pack.year}.html"`);
    return reply.send(pack.html);
  });
};
