// The teacher's class view (classes.view: staff and the senior roles; the method itself shows each
// account only the classes it teaches, every class to those holding monitoring.view) and a class
// unlock within the head's limits (classes.unlock). Each goes through the control method
// `schoolgate classes …` uses, audited as account:USERNAME. Also the head's limits on the
// Acceptable use page: read by any member of staff, and an edit of them is a filtering change,
// so it becomes a change request exactly as a policy's AUP rows do (config-request.ts).
import { loadCatalogue, type CategoryDefinition } from '../../rules/catalogue.ts';
import {
  ClassGroupPath, ClassLimitsBody, ClassLimitsResult, ClassLimitsView, ClassListPage, ClassLive, ClassLiveQuery, ClassUnlockBody, UnlockEnded, UnlockIdPath, UnlockView,
} from '../api/classes-schema.ts';
import { actorNames } from '../actor-names.ts';
import { ApiError } from '../api/session-schema.ts';
import type { ClassListView } from '../api/classes-schema.ts';
import { AuthError } from '../auth/errors.ts';
import { accountPermissions } from '../auth/views.ts';
import { applyClassLimits, classLimitsFieldOf, classLimitsView } from '../class-settings.ts';
import { requestConfigChange } from '../config-request.ts';
import { callControl } from '../control-call.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };

let catalogue: ReadonlyMap<string, CategoryDefinition> | undefined;
const categories = (): ReadonlyMap<string, CategoryDefinition> => (catalogue ??= loadCatalogue().categories);

export const classRoutes: AdminRoutes = async (app, deps) => {
  const { options } = deps;
  const { control } = options;
  const configAccess = () => {
    if (!options.config) throw new AuthError(503, 'no-config', 'this gateway was started without its configuration store');
    return options.config;
  };

  // The teachers (usernames in the configuration) and who made each unlock, by their names.
  app.get('/api/classes', {
    schema: { response: { 200: ClassListPage, ...Errors } },
    config: { permission: 'classes.view' },
  }, async (request): Promise<ClassListPage> => {
    const list = await callControl<ClassListView>(control, request.signed, 'classes', {});
    const actors = list.classes.flatMap((c) => [...c.teachers.map((u) => `account:${u}`), ...c.unlocks.map((u) => u.by)]);
    return { ...list, names: actorNames(options.accounts, actors) };
  });

  app.get<{ Params: ClassGroupPath; Querystring: ClassLiveQuery }>('/api/classes/:group/live', {
    schema: { params: ClassGroupPath, querystring: ClassLiveQuery, response: { 200: ClassLive, ...Errors } },
    config: { permission: 'classes.view' },
  }, async (request) => callControl(control, request.signed, 'classes.live', {
    group: request.params.group, ...(request.query.minutes !== undefined ? { minutes: request.query.minutes } : {}),
  }));

  app.post<{ Params: ClassGroupPath; Body: ClassUnlockBody }>('/api/classes/:group/unlock', {
    schema: { params: ClassGroupPath, body: ClassUnlockBody, response: { 200: UnlockView, ...Errors } },
    config: { permission: 'classes.unlock' },
  }, async (request) => callControl(control, request.signed, 'classes.unlock', { ...request.body, group: request.params.group }, 'category'));

  app.post<{ Params: UnlockIdPath }>('/api/classes/unlocks/:id/end', {
    schema: { params: UnlockIdPath, response: { 200: UnlockEnded, ...Errors } },
    config: { permission: 'classes.unlock' },
  }, async (request) => callControl(control, request.signed, 'classes.end-unlock', { id: request.params.id }));

  app.get('/api/class-limits', {
    schema: { response: { 200: ClassLimitsView, ...Errors } },
    config: { permission: 'policy.view' },
  }, async (request) => {
    const editable = request.signed !== undefined && accountPermissions(request.signed.account).includes('changes.request');
    return classLimitsView(configAccess().current(), categories(), editable);
  });

  // Any member of staff who may ask for a filtering change may ask for these; two approvers, the
  // head among them, decide (a page's configuration edit always needs the head).
  app.put<{ Body: ClassLimitsBody }>('/api/class-limits', {
    schema: { body: ClassLimitsBody, response: { 200: ClassLimitsResult, ...Errors } },
    config: { permission: 'changes.request' },
  }, async (request): Promise<ClassLimitsResult> => {
    const current = configAccess().current();
    const { unlocks, rationale, riskNote } = request.body;
    const asked = await requestConfigChange({ current, control, signed: request.signed }, {
      action: 'classes.limits', subject: 'classes.unlocks', rationale, riskNote,
      change: (draft) => applyClassLimits(draft, unlocks, categories()),
      fieldOf: classLimitsFieldOf,
    });
    return { view: classLimitsView(current, categories(), true), request: asked.request };
  });
};
