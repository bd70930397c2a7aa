// The weekly review: the list of weeks and one week's page (monitoring.view), outcomes and the
// sign-off (monitoring.review), through the same control methods as `schoolgate review`, audited
// as account:USERNAME; the week as CSV. Names devices looked up are sent as data and the page
// shows them as text: never a link, a preview or anything fetched.
import { Type } from 'typebox';
import {
  DueParams, DueView, OnBehalfChoices, OutcomeBody, OutcomeRecord, ReviewList, ReviewListParams, ReviewPage, ReviewWeekParams, SignOff, SignOffBody,
} from '../api/review-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { callControl } from '../control-call.ts';
import type { AdminRoutes } from '../route-deps.ts';
import { reviewCsv } from '../../monitor/review/review-csv.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };
const WeekPath = Type.Object({ week: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) }, { additionalProperties: false });
const AlertPath = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

export const reviewRoutes: AdminRoutes = async (app, deps) => {
  const control = deps.options.control;

  app.get('/api/review', {
    schema: { querystring: ReviewListParams, response: { 200: ReviewList, ...Errors } },
    config: { permission: 'monitoring.view' },
  }, async (request) => callControl<ReviewList>(control, request.signed, 'review.list', request.query));

  app.get('/api/review/week', {
    schema: { querystring: ReviewWeekParams, response: { 200: ReviewPage, ...Errors } },
    config: { permission: 'monitoring.view' },
  }, async (request) => callControl<ReviewPage>(control, request.signed, 'review.week', request.query));

  app.get('/api/review/week.csv', {
    schema: { querystring: ReviewWeekParams, response: Errors },
    config: { permission: 'monitoring.view' },
  }, async (request, reply) => {
    const page = await callControl<ReviewPage>(control, request.signed, 'review.week', request.query);
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="weekly-review-${page.week.from}.csv"`)
      .send(reviewCsv(page));
  });

  app.get('/api/review/due', {
    schema: { querystring: DueParams, response: { 200: DueView, ...Errors } },
    config: { permission: 'monitoring.view' },
  }, async (request) => callControl<DueView>(control, request.signed, 'review.due', request.query));

  app.get('/api/review/on-behalf', {
    schema: { response: { 200: OnBehalfChoices, ...Errors } },
    config: { permission: 'monitoring.review' },
  }, async (request) => callControl<OnBehalfChoices>(control, request.signed, 'review.on-behalf', {}));

  app.post('/api/review/alerts/:id/outcome', {
    schema: { params: AlertPath, body: OutcomeBody, response: { 200: OutcomeRecord, ...Errors } },
    config: { permission: 'monitoring.review' },
  }, async (request) => {
    const { id } = request.params as { id: number };
    return callControl<OutcomeRecord>(control, request.signed, 'review.outcome', { alert: id, ...(request.body as OutcomeBody) }, 'note');
  });

  app.post('/api/review/weeks/:week/sign-off', {
    schema: { params: WeekPath, body: SignOffBody, response: { 200: SignOff, ...Errors } },
    config: { permission: 'monitoring.review' },
  }, async (request) => {
    const { week } = request.params as { week: string };
    return callControl<SignOff>(control, request.signed, 'review.sign-off', { week, ...(request.body as SignOffBody) });
  });
};
