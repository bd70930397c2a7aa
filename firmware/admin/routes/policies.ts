// The AUP tables (policy.view, every signed-in member of staff: the policy that applies to them),
// and saving one policy's rows (policy.edit) through saveConfigChange.
import { Type, type Static } from 'typebox';
import { loadCatalogue, type CategoryDefinition } from '../../rules/catalogue.ts';
import { AupEditBody, AupEditResult, AupTables } from '../api/policy-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { actorOf } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import { accountPermissions } from '../auth/views.ts';
import { applyAupEdit, aupPolicy, aupTables } from '../aup-table.ts';
import { saveConfigChange } from '../config-change.ts';
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
  }, async (request) => {
    const config = configAccess();
    const id = request.params.id;
    const prefix = (index: number) => `/policies/${index}/`;
    const saved = await saveConfigChange({ config, audit: options.audit }, {
      actor: actorOf(request.signed!.account),
      action: 'policy.edit',
      subject: id,
      change: (draft) => {
        const edit = applyAupEdit(draft, id, request.body.categories, categories());
        return { changed: edit.changed, details: { changed: Object.fromEntries(edit.changed.map((c) => [c, request.body.categories[c]])) } };
      },
      fieldOf: (path) => {
        const index = config.current().policies.findIndex((p) => p.id === id);
        return path.startsWith(prefix(index)) ? path.slice(prefix(index).length) : undefined;
      },
    });
    const current = config.current();
    const policy = current.policies.find((p) => p.id === id)!;
    return { policy: aupPolicy(current, policy, categories()), changed: saved.changed };
  });
};
