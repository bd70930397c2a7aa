// The networks page and the setup wizard's later steps: each network as configured, the schedules
// and term dates, the upstream resolvers and the shipped filtering providers. The shapes are the
// configuration's own (config/schema.ts); the UI imports these types only.
import { Type, type Static } from 'typebox';
import { Network, Schedule, Term, Upstream } from '../../config/schema.ts';
import { UpstreamProvider } from '../../config/upstream-providers.ts';

export const NetworksView = Type.Object({
  networks: Type.Array(Network),
  policies: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false })),
  schedules: Type.Array(Schedule),
  terms: Type.Array(Term),
  upstreams: Type.Array(Upstream),
  providers: Type.Object({ note: Type.String(), providers: Type.Array(UpstreamProvider) }, { additionalProperties: false }),
  /** What the signed-in account may change here: networks and upstreams need system.manage, schedules policy.edit. */
  may: Type.Object({ networks: Type.Boolean(), schedules: Type.Boolean(), upstreams: Type.Boolean() }, { additionalProperties: false }),
}, { additionalProperties: false });
export type NetworksView = Static<typeof NetworksView>;

/** PUT /api/networks/:id: what this page changes of a network; its addressing stays a job for the configuration file. */
export const NetworkEditBody = Type.Pick(Network, ['name', 'enabled', 'ssid', 'policy', 'tethering', 'p2p']);
export type NetworkEditBody = Static<typeof NetworkEditBody>;

export const SchedulesBody = Type.Object({
  schedules: Type.Array(Schedule, { maxItems: 64 }),
  terms: Type.Array(Term, { maxItems: 24 }),
}, { additionalProperties: false });
export type SchedulesBody = Static<typeof SchedulesBody>;

export const UpstreamsBody = Type.Object({
  upstreams: Type.Array(Upstream, { maxItems: 8 }),
}, { additionalProperties: false });
export type UpstreamsBody = Static<typeof UpstreamsBody>;
