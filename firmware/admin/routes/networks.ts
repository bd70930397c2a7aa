// Networks, schedules with term dates, and upstream resolvers: every signed-in member of staff may
// read them (policy.view); networks and upstreams change with system.manage, schedules and terms
// with policy.edit. Each save goes through saveConfigChange, like the AUP tables.
import { Type, type Static } from 'typebox';
import type { Config } from '../../config/schema.ts';
import { loadUpstreamProviders, type UpstreamProviders } from '../../config/upstream-providers.ts';
import { NetworkEditBody, NetworksView, SchedulesBody, UpstreamsBody } from '../api/networks-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { actorOf, type Signed } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import { accountPermissions } from '../auth/views.ts';
import { saveConfigChange } from '../config-change.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 503: ApiError };
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Saved = Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false });

let providers: UpstreamProviders | undefined;

/** "/networks/2/policy" → "policy" for the network being edited; other paths keep their name. */
const under = (prefix: string) => (path: string) => (path.startsWith(prefix) ? path.slice(prefix.length) : undefined);

export function networksView(config: Readonly<Config>, permissions: readonly string[]): NetworksView {
  return {
    networks: config.networks.map((n) => structuredClone(n)),
    policies: config.policies.map((p) => ({ id: p.id, name: p.name })),
    schedules: config.schedules.map((s) => structuredClone(s)),
    terms: (config.site.terms ?? []).map((t) => ({ ...t })),
    upstreams: config.dns.upstreams.map((u) => ({ ...u })),
    providers: (providers ??= loadUpstreamProviders()),
    may: { networks: permissions.includes('system.manage'), schedules: permissions.includes('policy.edit'), upstreams: permissions.includes('system.manage') },
  };
}

export const networkRoutes: AdminRoutes = async (app, deps) => {
  const { options } = deps;
  const config = () => {
    if (!options.config) throw new AuthError(503, 'no-config', 'this gateway was started without its configuration store');
    return options.config;
  };
  const actor = (signed: Signed | undefined) => actorOf(signed!.account);

  app.get('/api/networks', {
    schema: { response: { 200: NetworksView, ...Errors } },
    config: { permission: 'policy.view' },
  }, async (request) => networksView(config().current(), request.signed ? accountPermissions(request.signed.account) : []));

  app.put<{ Params: Static<typeof IdParams>; Body: NetworkEditBody }>('/api/networks/:id', {
    schema: { params: IdParams, body: NetworkEditBody, response: { 200: Saved, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request) => {
    const id = request.params.id;
    const index = config().current().networks.findIndex((n) => n.id === id);
    if (index < 0) throw new AuthError(404, 'not-found', `there is no network "${id}"`);
    await saveConfigChange({ config: config(), audit: options.audit }, {
      actor: actor(request.signed), action: 'network.edit', subject: id,
      change: (draft) => {
        const { ssid, tethering, p2p, ...rest } = request.body;
        const { ssid: _s, tethering: _t, p2p: _p, ...kept } = draft.networks[index]!;
        // Absent optional fields mean "not set": the network's defaults by kind apply.
        draft.networks[index] = { ...kept, ...rest, ...(ssid !== undefined ? { ssid } : {}), ...(tethering !== undefined ? { tethering } : {}), ...(p2p !== undefined ? { p2p } : {}) };
        return { details: request.body };
      },
      fieldOf: under(`/networks/${index}/`),
    });
    return { ok: true as const };
  });

  app.put<{ Body: SchedulesBody }>('/api/schedules', {
    schema: { body: SchedulesBody, response: { 200: Saved, ...Errors } },
    config: { permission: 'policy.edit' },
  }, async (request) => {
    await saveConfigChange({ config: config(), audit: options.audit }, {
      actor: actor(request.signed), action: 'schedules.edit', subject: 'schedules',
      change: (draft) => {
        draft.schedules = request.body.schedules;
        if (request.body.terms.length > 0) draft.site.terms = request.body.terms;
        else delete draft.site.terms;
        return { details: { schedules: request.body.schedules.map((s) => s.id), terms: request.body.terms.length } };
      },
      fieldOf: (path) => (path.startsWith('/site/terms/') ? `terms/${path.slice('/site/terms/'.length)}` : path.startsWith('/schedules/') ? path.slice(1) : undefined),
    });
    return { ok: true as const };
  });

  app.put<{ Body: UpstreamsBody }>('/api/upstreams', {
    schema: { body: UpstreamsBody, response: { 200: Saved, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request) => {
    await saveConfigChange({ config: config(), audit: options.audit }, {
      actor: actor(request.signed), action: 'upstreams.edit', subject: 'dns.upstreams',
      change: (draft) => {
        draft.dns.upstreams = request.body.upstreams;
        return { details: { upstreams: request.body.upstreams } };
      },
      fieldOf: (path) => (path.startsWith('/dns/upstreams/') ? `upstreams/${path.slice('/dns/upstreams/'.length)}` : undefined),
    });
    return { ok: true as const };
  });
};
