// The AUP tables (policy.view, every signed-in member of staff: the policy that applies to them),
// and an edit of one policy's rows (policy.edit). An edit changes what is filtered, so it is never
// saved here: it is made on a copy of the configuration, validated as the store would validate it
// (a problem is answered beside its row, nothing asked for), and the values it changes become a
// change request (kind config) that two approvers decide and the IT provider applies.
import { Type, type Static } from 'typebox';
import { loadCatalogue, type CategoryDefinition } from '../../rules/catalogue.ts';
import { AupEditBody, AupEditResult, AupTables } from '../api/policy-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { actorOf } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import { accountPermissions } from '../auth/views.ts';
import { applyAupEdit, aupPolicy, aupTables } from '../aup-table.ts';
import { requestConfigChange } from '../config-request.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 503: ApiError };
const PolicyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

let catalogue: ReadonlyMap<string, CategoryDefinition> | undefined;
const categories = (): ReadonlyMap<string, CategoryDefinition> => (catalogue ??= loadCatalogue().categories);

export const policyRoutes: AdminRoutes = async (app, deps) => {
  const { options } = deps;
  const now = options.now ?? (() => new Date());
  const configAccess = () => {
    if (!options.config) throw new AuthError(503, 'no-config', 'this gateway was started without its configuration store');
    return options.config;
  };

  app.get('/api/policies', {
    schema: { response: { 200: AupTables, ...Errors } },
    config: { permission: 'policy.view' },
  }, async (request) => {
    const editable = request.signed !== undefined && accountPermissions(request.signed.account).includes('policy.edit');
    return aupTables(configAccess().current(), categories(), now(), editable);
  });

  app.put<{ Params: Static<typeof PolicyParams>; Body: AupEditBody }>('/api/policies/:id', {
    schema: { params: PolicyParams, body: AupEditBody, response: { 200: AupEditResult, ...Errors } },
    config: { permission: 'policy.edit' },
  }, async (request): Promise<AupEditResult> => {
    const current = configAccess().current();
    const id = request.params.id;
    const { categories: rows, rationale, riskNote } = request.body;
    const index = current.policies.findIndex((p) => p.id === id);
    const prefix = `/policies/${index}/`;
    const asked = await requestConfigChange({ current, control: options.control, signed: request.signed }, {
      action: 'policy.edit', subject: id, rationale, riskNote,
      change: (draft) => applyAupEdit(draft, id, rows, categories()),
      fieldOf: (path) => (path.startsWith(prefix) ? path.slice(prefix.length) : undefined),
    });
    const policy = aupPolicy(current, current.policies[index]!, categories());
    return { policy, changed: asked.request === null ? [] : asked.result.changed, request: asked.request };
  });
};
