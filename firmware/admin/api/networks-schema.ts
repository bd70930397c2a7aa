// The networks page and the setup wizard's later steps: each network as configured, the schedules
// and term dates, the upstream resolvers and the shipped filtering providers. The shapes are the
// configuration's own (config/schema.ts); the UI imports these types only.
import { Type, type Static } from 'typebox';
import { DeviceGroup, DhcpRange, Network, NetworkDhcp, Schedule, Term, Upstream } from '../../config/schema.ts';
import { ClassTeachers } from '../../config/classes-schema.ts';
import { UpstreamProvider } from '../../config/upstream-providers.ts';
import { ChangeRequestFields } from '../../control/changes/change-schema.ts';

export const NetworksView = Type.Object({
  networks: Type.Array(Network),
  policies: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false })),
  schedules: Type.Array(Schedule),
  /** The schedules a policy's row uses: a change to when one is open is a change request. */
  schedulesInUse: Type.Array(Type.String()),
  deviceGroups: Type.Array(DeviceGroup),
  terms: Type.Array(Term),
  upstreams: Type.Array(Upstream),
  providers: Type.Object({ note: Type.String(), providers: Type.Array(UpstreamProvider) }, { additionalProperties: false }),
  /** Who teaches each class (device group) in the class view. */
  teachers: Type.Array(ClassTeachers),
  /** The accounts a teacher is picked from (every account in use, for accounts.manage; otherwise those teaching), by username with their names. */
  accounts: Type.Array(Type.Object({ username: Type.String(), name: Type.String() }, { additionalProperties: false })),
  /** What the signed-in account may change here: networks and upstreams need system.manage, schedules and groups policy.edit, a group's members devices.manage, its teachers accounts.manage. */
  may: Type.Object({ networks: Type.Boolean(), schedules: Type.Boolean(), upstreams: Type.Boolean(), groups: Type.Boolean(), members: Type.Boolean(), teachers: Type.Boolean() }, { additionalProperties: false }),
}, { additionalProperties: false });
export type NetworksView = Static<typeof NetworksView>;

/**
 * A whole network as the form has it (PUT /api/networks/:id, and POST /api/networks with its id):
 * the configuration's own fields, and the DHCP server as one range handed out, on or off (absent:
 * no DHCP server). Its field names are the form's, so a message lands beside what was typed.
 */
export const NetworkBody = Type.Object({
  name: Network.properties.name,
  kind: Network.properties.kind,
  enabled: Network.properties.enabled,
  ssid: Network.properties.ssid,
  interface: Network.properties.interface,
  vlan: Network.properties.vlan,
  subnets: Network.properties.subnets,
  gateway: Network.properties.gateway,
  policy: Network.properties.policy,
  tethering: Network.properties.tethering,
  p2p: Network.properties.p2p,
  dhcp: Type.Optional(Type.Object({
    enabled: Type.Boolean({ description: 'the DHCP server hands out this range' }),
    ...DhcpRange.properties,
    leaseSeconds: Type.Optional(NetworkDhcp.properties.leaseSeconds),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
export type NetworkBody = Static<typeof NetworkBody>;

/**
 * Why, when a save changes what is filtered (a network's or a group's policy, when a schedule in
 * use is open): that part becomes a change request with these; the rest saves at once.
 */
const Why = {
  rationale: Type.Optional(ChangeRequestFields.properties.rationale),
  riskNote: Type.Optional(ChangeRequestFields.properties.riskNote),
};

/** PUT /api/networks/:id: the form, and why when its policy changes. */
export const NetworkEditBody = Type.Object({ ...NetworkBody.properties, ...Why }, { additionalProperties: false });
export type NetworkEditBody = Static<typeof NetworkEditBody>;

/** What a save that may hold a filtering change did: saved the rest at once, asked for the filtering part. */
export const FilteringSaved = Type.Object({
  ok: Type.Literal(true),
  saved: Type.Boolean({ description: 'whether settings that are not filtering were saved at once' }),
  request: Type.Union([Type.Object({
    id: Type.Integer({ minimum: 1 }),
    summary: Type.Array(Type.String(), { description: 'what it would change, a line each' }),
  }, { additionalProperties: false }), Type.Null()], { description: 'the change request the filtering part became; null when nothing filtered changed' }),
}, { additionalProperties: false });
export type FilteringSaved = Static<typeof FilteringSaved>;

export const NewNetworkBody = Type.Object({ id: Network.properties.id, ...NetworkBody.properties }, { additionalProperties: false });
export type NewNetworkBody = Static<typeof NewNetworkBody>;

/** PUT /api/device-groups: every group (the "nominated users" of the AUP tables), in order. */
export const DeviceGroupsBody = Type.Object({
  groups: Type.Array(DeviceGroup, { maxItems: 256 }),
  ...Why,
}, { additionalProperties: false });
export type DeviceGroupsBody = Static<typeof DeviceGroupsBody>;

export const SchedulesBody = Type.Object({
  schedules: Type.Array(Schedule, { maxItems: 64 }),
  terms: Type.Array(Term, { maxItems: 24 }),
  ...Why,
}, { additionalProperties: false });
export type SchedulesBody = Static<typeof SchedulesBody>;

/** The term dates alone (the setup wizard's step); the Networks page sends them with the schedules. */
export const TermsBody = Type.Object({
  terms: Type.Array(Term, { maxItems: 24 }),
}, { additionalProperties: false });
export type TermsBody = Static<typeof TermsBody>;

export const UpstreamsBody = Type.Object({
  upstreams: Type.Array(Upstream, { maxItems: 8 }),
}, { additionalProperties: false });
export type UpstreamsBody = Static<typeof UpstreamsBody>;
