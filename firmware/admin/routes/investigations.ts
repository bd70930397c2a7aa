// Investigations (monitoring.review to see them: the head, the DSL, the online safety lead). Ending
// one early and saving its evidence so far are buttons for a senior account (the headteacher or the
// DSL); the control method refuses anyone else (403), as it refuses them over SSH too. Every change
// goes through the control method `schoolgate investigations …` uses, audited as account:USERNAME.
// An incident's investigations are at /api/incidents/:id/investigations, beside the incident.
import type { FastifyRequest } from 'fastify';
import { actorNames } from '../actor-names.ts';
import { ApiError } from '../api/session-schema.ts';
import {
  Investigation, InvestigationEndBody, InvestigationIdPath, InvestigationListPage, InvestigationSaveBody, InvestigationsQuery,
  type InvestigationListView,
} from '../api/investigations-schema.ts';
import { callControl } from '../control-call.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };

type IdPath = { id: number };

export const investigationRoutes: AdminRoutes = async (app, deps) => {
  const { control, accounts } = deps.options;
  const read = { config: { permission: 'monitoring.review' as const } };

  /** The list with the names of everyone it names, so the page shows people, not usernames. */
  const listPage = async (request: FastifyRequest, params: Record<string, unknown>): Promise<InvestigationListPage> => {
    const list = await callControl<InvestigationListView>(control, request.signed, 'investigations', params);
    const actors = list.investigations.flatMap((i) => [i.requestedBy, ...i.approvedBy, i.endedBy ?? undefined, ...i.evidence.map((e) => e.by)]);
    return { ...list, names: actorNames(accounts, actors) };
  };

  app.get('/api/investigations', { ...read, schema: { querystring: InvestigationsQuery, response: { 200: InvestigationListPage, ...Errors } } }, async (request) => {
    const q = request.query as { incident?: number; status?: string };
    return listPage(request, { ...(q.incident !== undefined ? { incidentId: q.incident } : {}), ...(q.status !== undefined ? { status: q.status } : {}) });
  });

  app.get('/api/investigations/:id', { ...read, schema: { params: InvestigationIdPath, response: { 200: Investigation, ...Errors } } },
    async (request) => callControl(control, request.signed, 'investigations.show', request.params));

  app.get('/api/incidents/:id/investigations', { ...read, schema: { params: InvestigationIdPath, response: { 200: InvestigationListPage, ...Errors } } },
    async (request) => listPage(request, { incidentId: (request.params as IdPath).id }));

  app.post('/api/investigations/:id/end', { ...read, schema: { params: InvestigationIdPath, body: InvestigationEndBody, response: { 200: Investigation, ...Errors } } },
    async (request) => callControl(control, request.signed, 'investigations.end', { ...(request.body as object), id: (request.params as IdPath).id }, 'note'));

  app.post('/api/investigations/:id/save-evidence', { ...read, schema: { params: InvestigationIdPath, body: InvestigationSaveBody, response: { 200: Investigation, ...Errors } } },
    async (request) => callControl(control, request.signed, 'investigations.save-evidence', { id: (request.params as IdPath).id }));
};
