// Lists: their status (dashboard.view: who sees the dashboard sees list freshness) and, with
// lists.manage, "update now" and importing a file, through the control methods behind
// `schoolgate lists`, `lists update` and `lists import` (the same checks; the same audit entries,
// under the signed-in account). A restricted list's contents are never in any answer.
// Removing a list keeps its audit entry and sets its own file aside; an illegal-content
// (restricted) list cannot be removed here at all: only `schoolgate lists remove
// --force-restricted` at the gateway can, so no browser session is enough to stop that blocking.
import { ImportResult, ListImportBody, ListRemoveBody, ListRemoveResult, ListsView, ListUpdateBody, ListUpdateResults } from '../api/lists-schema.ts';
import { AuthError } from '../auth/errors.ts';
import { ApiError } from '../api/session-schema.ts';
import { callControl } from '../control-call.ts';
import { MAX_IMPORT_REQUEST_BYTES } from '../../rules/list-admin.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };

export const listRoutes: AdminRoutes = async (app, deps) => {
  const control = deps.options.control;

  app.get('/api/lists', {
    schema: { response: { 200: ListsView, ...Errors } },
    config: { permission: 'dashboard.view' },
  }, async (request) => callControl(control, request.signed, 'lists', {}));

  app.post<{ Body: ListUpdateBody }>('/api/lists/update', {
    schema: { body: ListUpdateBody, response: { 200: ListUpdateResults, ...Errors } },
    config: { permission: 'lists.manage' },
  }, async (request) => callControl(control, request.signed, 'lists.update', request.body ?? {}));

  app.post<{ Body: ListImportBody }>('/api/lists/import', {
    bodyLimit: MAX_IMPORT_REQUEST_BYTES,
    schema: { body: ListImportBody, response: { 200: ImportResult, ...Errors } },
    config: { permission: 'lists.manage' },
  }, async (request) => callControl(control, request.signed, 'lists.import', request.body, 'text'));

  app.post<{ Body: ListRemoveBody }>('/api/lists/remove', {
    schema: { body: ListRemoveBody, response: { 200: ListRemoveResult, ...Errors } },
    config: { permission: 'lists.manage' },
  }, async (request) => {
    const list = (deps.options.config?.current().lists ?? []).find((l) => l.id === request.body.id);
    if (list?.restricted) {
      throw new AuthError(409, 'restricted', `"${list.name}" is an illegal-content list: it blocks on every network and cannot be removed from the web UI (only \`schoolgate lists remove --force-restricted\` at the gateway can, under the audit log)`);
    }
    // Never forceRestricted: the control method refuses a restricted list even without the check above.
    return callControl(control, request.signed, 'lists.remove', { name: request.body.id });
  });
};
