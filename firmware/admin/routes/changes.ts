// Change control's pages: any member of staff asks for a filtering change (changes.request) and
// follows their own requests; approvers (changes.approve) approve or decline; the IT provider
// (changes.apply) applies an approved one here or records it as sent upstream. An investigation
// request is seen only by its requester and safeguarding staff (monitoring.review), and is applied
// by the gateway on its second approval; they retry it if that failed. Each step is the
// control method `schoolgate changes …` uses, run as account:USERNAME, which checks the finer rules
// (never one's own, two different accounts, the head when pupils are in scope) and audits it.
// The current exceptions are readable by every member of staff, like the AUP tables they qualify.
import type { FastifyRequest } from 'fastify';
import {
  ChangeApplyBody, ChangeApproveBody, ChangeDeclineBody, ChangeIdPath, ChangeListPage, ChangeRequestBody, ChangeRequestPage, ChangesQuery,
  ChangeUpstreamBody, ChangeWithdrawBody, ExceptionsPage, type ChangeRequestBody as ChangeRequestBodyType, type ChangesQuery as ChangesQueryType,
} from '../api/changes-schema.ts';
import type { OpenAccessRequests } from '../api/access-requests-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { actorNames } from '../actor-names.ts';
import { AuthError } from '../auth/errors.ts';
import { changeMay, seesAllChanges, type ChangeViewer } from '../change-may.ts';
import { actorIsHead, changeQueue, viewerOf } from '../change-queue.ts';
import { callControl } from '../control-call.ts';
import type { ChangeRequest as ChangeRequestType } from '../../control/changes/change-schema.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };

type IdPath = { id: number };

export const changeRoutes: AdminRoutes = async (app, deps) => {
  const { control, accounts } = deps.options;

  const isHead = (actor: string): boolean => actorIsHead(accounts, actor);

  /** A request made from the block page's access request: one the account may read, still open (checked before anything is made). */
  const stillOpen = async (request: FastifyRequest, id: number): Promise<void> => {
    if (!viewerOf(request).permissions.includes('monitoring.view')) throw new AuthError(403, 'forbidden', 'your account cannot see the block page\'s access requests');
    const open = await callControl<OpenAccessRequests>(control, request.signed, 'access-requests', {});
    if (!open.requests.some((r) => r.id === id)) {
      throw new AuthError(400, 'invalid-input', `access request ${id} is no longer open: someone has dismissed it or it has been decided`, { fromAccessRequest: 'no longer open' });
    }
  };

  const pageOf = (viewer: ChangeViewer, request: ChangeRequestType): ChangeRequestPage => {
    const { may, waitingOn } = changeMay(request, viewer, isHead(request.requestedBy));
    return { request, may, waitingOn, names: actorNames(accounts, [request.requestedBy, ...request.steps.map((s) => s.by)]) };
  };

  const show = async (request: FastifyRequest, id: number): Promise<ChangeRequestPage> => {
    const viewer = viewerOf(request);
    const found = await callControl<ChangeRequestType>(control, request.signed, 'changes.show', { id });
    // A member of staff follows their own requests (the method refuses the same; this holds if it ever did not).
    if (!seesAllChanges(viewer.permissions) && found.requestedBy !== viewer.actor) throw new AuthError(403, 'forbidden', 'you may see your own change requests only');
    return pageOf(viewer, found);
  };

  /** Runs one step, then answers with the request as it now stands. */
  const step = (method: string, field?: string) => async (request: FastifyRequest): Promise<ChangeRequestPage> => {
    const id = (request.params as IdPath).id;
    await callControl(control, request.signed, method, { ...(request.body as object | undefined), id }, field);
    return show(request, id);
  };

  app.get('/api/changes', {
    schema: { querystring: ChangesQuery, response: { 200: ChangeListPage, ...Errors } },
    config: { permission: 'changes.request' },
  }, async (request): Promise<ChangeListPage> => {
    const queue = await changeQueue({ control, accounts }, request, (request.query as ChangesQueryType).status);
    return { ...queue, names: actorNames(accounts, queue.changes.map((c) => c.requestedBy)) };
  });

  app.get('/api/changes/:id', {
    schema: { params: ChangeIdPath, response: { 200: ChangeRequestPage, ...Errors } },
    config: { permission: 'changes.request' },
  }, async (request) => show(request, (request.params as IdPath).id));

  app.post<{ Body: ChangeRequestBodyType }>('/api/changes', {
    schema: { body: ChangeRequestBody, response: { 200: ChangeRequestPage, ...Errors } },
    config: { permission: 'changes.request' },
  }, async (request) => {
    const { fromAccessRequest, ...fields } = request.body;
    if (fromAccessRequest !== undefined) await stillOpen(request, fromAccessRequest);
    const made = await callControl<ChangeRequestType>(control, request.signed, 'changes.request', fields);
    if (fromAccessRequest !== undefined) await callControl(control, request.signed, 'access-requests.link', { id: fromAccessRequest, changeRequest: made.id });
    return pageOf(viewerOf(request), made);
  });

  const decide = { schema: { params: ChangeIdPath, response: { 200: ChangeRequestPage, ...Errors } }, config: { permission: 'changes.approve' as const } };
  app.post('/api/changes/:id/approve', { ...decide, schema: { ...decide.schema, body: ChangeApproveBody } }, step('changes.approve', 'note'));
  app.post('/api/changes/:id/decline', { ...decide, schema: { ...decide.schema, body: ChangeDeclineBody } }, step('changes.decline', 'note'));

  // The requester withdraws their own; an approver may withdraw any (the method tells them apart).
  app.post('/api/changes/:id/withdraw', {
    schema: { params: ChangeIdPath, body: ChangeWithdrawBody, response: { 200: ChangeRequestPage, ...Errors } },
    config: { permission: 'changes.request' },
  }, step('changes.withdraw', 'note'));

  const provider = { schema: { params: ChangeIdPath, response: { 200: ChangeRequestPage, ...Errors } }, config: { permission: 'changes.apply' as const } };
  // An investigation whose apply on approval failed is retried by safeguarding staff, who do not
  // hold changes.apply: the method decides who may apply which request.
  app.post('/api/changes/:id/apply', { ...provider, schema: { ...provider.schema, body: ChangeApplyBody }, config: { permission: 'changes.request' as const } }, step('changes.apply'));
  app.post('/api/changes/:id/upstream', { ...provider, schema: { ...provider.schema, body: ChangeUpstreamBody } }, step('changes.upstream', 'reference'));

  app.get('/api/exceptions', {
    schema: { response: { 200: ExceptionsPage, ...Errors } },
    config: { permission: 'policy.view' },
  }, async (request) => callControl(control, request.signed, 'changes.exceptions', {}));
};
