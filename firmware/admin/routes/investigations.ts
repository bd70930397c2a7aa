// Investigations (monitoring.review to see them: the head, the DSL, the online safety lead). Ending
// one early and saving its evidence so far are buttons for a senior account (the headteacher or the
// DSL); the control method refuses anyone else (403), as it refuses them over SSH too. Every change
// goes through the control method `schoolgate investigations …` uses, audited as account:USERNAME.
// An incident's investigations are at /api/incidents/:id/investigations, beside the incident.
import { ApiError } from '../api/session-schema.ts';
import { Investigation, InvestigationEndBody, InvestigationIdPath, InvestigationListView, InvestigationSaveBody, InvestigationsQuery } from '../api/investigations-schema.ts';
import { callControl } from '../control-call.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };

type IdPath = { id: number };

export const investigationRoutes: AdminRoutes = async (app, deps) => {
  const { control } = deps.options;
  const read = { config: { permission: 'monitoring.review' as const } };

  app.get('/api/investigations', { ...read, schema: { querystring: InvestigationsQuery, response: { 200: InvestigationListView, ...Errors } } }, async (request) => {
    const q = request.query as { incident?: number; status?: string };
    return callControl(control, request.signed, 'investigations', { ...(q.incident !== undefined ? { incidentId: q.incident } : {}), ...(q.status !== undefined ? { status: q.status } : {}) });
  });

  app.get('/api/investigations/:id', { ...read, schema: { params: InvestigationIdPath, response: { 200: Investigation, ...Errors } } },
    async (request) => callControl(control, request.signed, 'investigations.show', request.params));

  app.get('/api/incidents/:id/investigations', { ...read, schema: { params: InvestigationIdPath, response: { 200: InvestigationListView, ...Errors } } },
    async (request) => callControl(control, request.signed, 'investigations', { incidentId: (request.params as IdPath).id }));

  app.post('/api/investigations/:id/end', { ...read, schema: { params: InvestigationIdPath, body: InvestigationEndBody, response: { 200: Investigation, ...Errors } } },
    async (request) => callControl(control, request.signed, 'investigations.end', { ...(request.body as object), id: (request.params as IdPath).id }, 'note'));

  app.post('/api/investigations/:id/save-evidence', { ...read, schema: { params: InvestigationIdPath, body: InvestigationSaveBody, response: { 200: Investigation, ...Errors } } },
    async (request) => callControl(control, request.signed, 'investigations.save-evidence', { id: (request.params as IdPath).id }));
};
