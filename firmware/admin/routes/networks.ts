// Networks, schedules with term dates, device groups and upstream resolvers: every signed-in member
// of staff may read them (policy.view); networks and upstreams change with system.manage,
// schedules, terms and device groups with policy.edit, the teachers of each class (group) with
// accounts.manage: who may watch a class is a matter of accounts, not of what is filtered. Each
// save goes through saveConfigChange, so `schoolgate check`'s semantic checks run on every one —
// except what changes what is filtered (a network's policy, a device group's, when a schedule a
// policy uses is open): that part becomes a change request for two approvers, the rest of the
// same form saving at once (filtering-split.ts).
import { Type, type Static } from 'typebox';
import type { Config } from '../../config/schema.ts';
import { loadUpstreamProviders, type UpstreamProviders } from '../../config/upstream-providers.ts';
import { ClassTeachersBody } from '../api/classes-schema.ts';
import {
  DeviceGroupsBody, FilteringSaved, NetworkEditBody, NetworksView, NewNetworkBody, SchedulesBody, TermsBody, UpstreamsBody,
} from '../api/networks-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { actorOf, type Signed } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import { accountPermissions } from '../auth/views.ts';
import { applyClassTeachers, classTeachersFieldOf } from '../class-settings.ts';
import { saveConfigChange } from '../config-change.ts';
import { saveSplitChange } from '../filtering-split.ts';
import {
  groupUsers, keepGroupPolicies, keepNetworkFiltering, keepScheduleTimes, networkFieldOf, networkFromBody, networkUsers, removedInUse, schedulesInUse, scheduleUsers,
} from '../network-edit.ts';
import { permissionsOf, type Role } from '../roles.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Saved = Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false });

let providers: UpstreamProviders | undefined;

/** An account as the teachers' picker sees it. */
export interface TeacherAccount { username: string; displayName: string; disabled: boolean; breakGlass: boolean; roles: readonly Role[] }

/** Who could teach a class: an account in use whose roles open "Your classes" (never the recovery account). */
const mayTeach = (a: TeacherAccount): boolean => !a.disabled && !a.breakGlass && permissionsOf(a.roles).has('classes.view');

export function networksView(config: Readonly<Config>, permissions: readonly string[], accounts: readonly TeacherAccount[] = []): NetworksView {
  const teachers = (config.classes?.teachers ?? []).map((t) => ({ group: t.group, accounts: [...t.accounts] }));
  const mayTeachers = permissions.includes('accounts.manage');
  const teaching = new Set(teachers.flatMap((t) => t.accounts));
  return {
    networks: config.networks.map((n) => structuredClone(n)),
    policies: config.policies.map((p) => ({ id: p.id, name: p.name })),
    schedules: config.schedules.map((s) => structuredClone(s)),
    schedulesInUse: schedulesInUse(config),
    deviceGroups: config.deviceGroups.map((g) => ({ ...g })),
    terms: (config.site.terms ?? []).map((t) => ({ ...t })),
    upstreams: config.dns.upstreams.map((u) => ({ ...u })),
    providers: (providers ??= loadUpstreamProviders()),
    teachers,
    accounts: accounts.filter((a) => teaching.has(a.username) || (mayTeachers && mayTeach(a)))
      .map((a) => ({ username: a.username, name: a.displayName }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en-GB')),
    may: {
      networks: permissions.includes('system.manage'), schedules: permissions.includes('policy.edit'), upstreams: permissions.includes('system.manage'),
      groups: permissions.includes('policy.edit'), members: permissions.includes('devices.manage'), teachers: mayTeachers,
    },
  };
}

/**
 * A schedule or group still in use fails the semantic checks as a reference from the policy's
 * row; the person removed it on this form, so the form's list field says which policy uses it,
 * beside every other problem of the same save.
 */
async function sayingWhoUses<T>(field: string, inUse: string[], save: Promise<T>): Promise<T> {
  try {
    // Nothing refers to it in the configuration: the save goes through, as it should.
    return await save;
  } catch (error) {
    if (!(error instanceof AuthError) || inUse.length === 0) throw error;
    throw new AuthError(error.status, error.code, error.message, { ...error.fields, [field]: inUse.join('; ') });
  }
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
  }, async (request) => networksView(config().current(), request.signed ? accountPermissions(request.signed.account) : [], options.accounts.list()));

  app.post<{ Body: NewNetworkBody }>('/api/networks', {
    schema: { body: NewNetworkBody, response: { 200: Saved, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request) => {
    const { id, ...body } = request.body;
    const index = config().current().networks.length;
    await saveConfigChange({ config: config(), audit: options.audit }, {
      actor: actor(request.signed), action: 'network.add', subject: id,
      change: (draft) => {
        draft.networks.push(networkFromBody(body, undefined, id));
        return { details: request.body };
      },
      fieldOf: networkFieldOf(index),
    });
    return { ok: true as const };
  });

  app.put<{ Params: Static<typeof IdParams>; Body: NetworkEditBody }>('/api/networks/:id', {
    schema: { params: IdParams, body: NetworkEditBody, response: { 200: FilteringSaved, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request): Promise<FilteringSaved> => {
    const id = request.params.id;
    const index = config().current().networks.findIndex((n) => n.id === id);
    if (index < 0) throw new AuthError(404, 'not-found', `there is no network "${id}"`);
    const { rationale, riskNote, ...form } = request.body;
    const done = await saveSplitChange({ config: config(), audit: options.audit, control: options.control, signed: request.signed }, {
      action: 'network.edit', subject: id, rationale, riskNote,
      change: (draft) => {
        const at = draft.networks.findIndex((n) => n.id === id);
        draft.networks[at] = networkFromBody(form, draft.networks[at], id);
        return { details: form };
      },
      keepFiltering: keepNetworkFiltering(id),
      fieldOf: networkFieldOf(index),
    });
    return { ok: true as const, ...done };
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/api/networks/:id', {
    schema: { params: IdParams, response: { 200: Saved, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request) => {
    const id = request.params.id;
    const current = config().current();
    const network = current.networks.find((n) => n.id === id);
    if (!network) throw new AuthError(404, 'not-found', `there is no network "${id}"`);
    if (current.networks.length === 1) throw new AuthError(409, 'in-use', `"${network.name}" is the only network: the gateway needs at least one`);
    const users = networkUsers(current, id);
    if (users.length > 0) throw new AuthError(409, 'in-use', `"${network.name}" is still named by ${users.join(', ')}: change those first`);
    await saveConfigChange({ config: config(), audit: options.audit }, {
      actor: actor(request.signed), action: 'network.remove', subject: id,
      change: (draft) => {
        draft.networks = draft.networks.filter((n) => n.id !== id);
        return { details: { name: network.name, interface: network.interface, subnets: network.subnets } };
      },
    });
    return { ok: true as const };
  });

  app.put<{ Body: SchedulesBody }>('/api/schedules', {
    schema: { body: SchedulesBody, response: { 200: FilteringSaved, ...Errors } },
    config: { permission: 'policy.edit' },
  }, async (request): Promise<FilteringSaved> => {
    const current = config().current();
    const { schedules, terms, rationale, riskNote } = request.body;
    const inUse = removedInUse(current.schedules, schedules, (id) => scheduleUsers(current, id));
    const done = await sayingWhoUses('schedules', inUse.map((x) => `"${x.name}" is used by ${x.users.join(', ')}: change those rows first`), saveSplitChange({ config: config(), audit: options.audit, control: options.control, signed: request.signed }, {
      action: 'schedules.edit', subject: 'schedules', rationale, riskNote,
      change: (draft) => {
        draft.schedules = structuredClone(schedules);
        if (terms.length > 0) draft.site.terms = structuredClone(terms);
        else delete draft.site.terms;
        return { details: { schedules: schedules.map((s) => s.id), terms: terms.length } };
      },
      keepFiltering: keepScheduleTimes,
      fieldOf: (path) => (path.startsWith('/site/terms/') ? `terms/${path.slice('/site/terms/'.length)}` : path.startsWith('/schedules/') ? path.slice(1) : undefined),
    }));
    return { ok: true as const, ...done };
  });

  app.put<{ Body: TermsBody }>('/api/terms', {
    schema: { body: TermsBody, response: { 200: Saved, ...Errors } },
    config: { permission: 'policy.edit' },
  }, async (request) => {
    await saveConfigChange({ config: config(), audit: options.audit }, {
      actor: actor(request.signed), action: 'terms.edit', subject: 'site.terms',
      change: (draft) => {
        if (request.body.terms.length > 0) draft.site.terms = request.body.terms;
        else delete draft.site.terms;
        return { details: { terms: request.body.terms } };
      },
      fieldOf: (path) => (path.startsWith('/site/terms/') ? `terms/${path.slice('/site/terms/'.length)}` : undefined),
    });
    return { ok: true as const };
  });

  app.put<{ Body: DeviceGroupsBody }>('/api/device-groups', {
    schema: { body: DeviceGroupsBody, response: { 200: FilteringSaved, ...Errors } },
    config: { permission: 'policy.edit' },
  }, async (request): Promise<FilteringSaved> => {
    const current = config().current();
    const { groups, rationale, riskNote } = request.body;
    const inUse = removedInUse(current.deviceGroups, groups, (id) => groupUsers(current, id));
    const done = await sayingWhoUses('groups', inUse.map((x) => `"${x.name}" is used by ${x.users.join(', ')}: change those first`), saveSplitChange({ config: config(), audit: options.audit, control: options.control, signed: request.signed }, {
      action: 'groups.edit', subject: 'deviceGroups', rationale, riskNote,
      change: (draft) => {
        draft.deviceGroups = structuredClone(groups);
        return { details: { groups } };
      },
      keepFiltering: keepGroupPolicies,
      fieldOf: (path) => (path.startsWith('/deviceGroups/') ? `groups/${path.slice('/deviceGroups/'.length)}` : undefined),
    }));
    return { ok: true as const, ...done };
  });

  app.put<{ Body: ClassTeachersBody }>('/api/class-teachers', {
    schema: { body: ClassTeachersBody, response: { 200: Saved, ...Errors } },
    config: { permission: 'accounts.manage' },
  }, async (request) => {
    await saveConfigChange({ config: config(), audit: options.audit }, {
      actor: actor(request.signed), action: 'classes.teachers', subject: 'classes.teachers',
      change: (draft) => ({ details: { teachers: applyClassTeachers(draft, request.body.teachers, (u) => options.accounts.byUsername(u) !== undefined) } }),
      fieldOf: classTeachersFieldOf,
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
