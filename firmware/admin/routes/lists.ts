// Lists: their status (dashboard.view: who sees the dashboard sees list freshness) and, with
// lists.manage, "update now" and importing a file, through the control methods behind
// `schoolgate lists`, `lists update` and `lists import` (the same checks; the same audit entries,
// under the signed-in account). A restricted list's contents are never in any answer.
import { ImportResult, ListImportBody, ListsView, ListUpdateBody, ListUpdateResults } from '../api/lists-schema.ts';
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
};

