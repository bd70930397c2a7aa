// What the DHCP service reports in `schoolgate status` (and /api/status): pools per network and
// the counters that say whether anything is going wrong. Main thread only (TypeBox).
import { Type, type Static } from 'typebox';

export const DhcpNetworkStatus = Type.Object({
  id: Type.String(),
  interface: Type.String(),
  poolSize: Type.Integer({ minimum: 0, description: 'addresses in the pools' }),
  free: Type.Integer({ minimum: 0, description: 'addresses that can be offered now (not bound, held for an offer, quarantined or found in use)' }),
  used: Type.Integer({ minimum: 0 }),
  leaseSeconds: Type.Integer({ minimum: 0 }),
  reservations: Type.Integer({ minimum: 0 }),
  outcomes: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'requests by what was done with them since start (offer, ack, nak, rate-limited, pool-exhausted...)' }),
  arpProbe: Type.Object({
    on: Type.Boolean({ description: 'new addresses are ARP-probed before they are offered' }),
    reason: Type.Optional(Type.String({ description: 'why not (no CAP_NET_RAW, behind a relay, turned off)' })),
    probed: Type.Integer({ minimum: 0, description: 'offers probed first' }),
    inUse: Type.Integer({ minimum: 0, description: 'probes something other than the client answered: the address was set aside (an event each)' }),
    gaveUp: Type.Integer({ minimum: 0, description: 'requests left unanswered after 3 answered probes (the client retries)' }),
    whileProbing: Type.Integer({ minimum: 0, description: "DISCOVERs dropped because the client's offer was still being probed" }),
  }),
});

export const DhcpStatus = Type.Object({
  enabled: Type.Boolean({ description: 'some network has a DHCP server' }),
  networks: Type.Array(DhcpNetworkStatus),
  malformed: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'packets ignored as malformed, by reason' }),
  unmatched: Type.Integer({ minimum: 0, description: 'well-formed relayed requests for no network we serve (a relay agent for an unknown subnet)' }),
  directOnRelay: Type.Integer({ minimum: 0, description: 'direct (not relayed) requests the relay socket heard and left to the interface servers' }),
  sendErrors: Type.Integer({ minimum: 0 }),
  storeFailures: Type.Integer({ minimum: 0, description: 'leases that could not be committed to state.db (no ACK was sent for them)' }),
  rogue: Type.Object({
    sightings: Type.Integer({ minimum: 0, description: "OFFERs or ACKs heard from another DHCP server (each server is an event at most once an hour)" }),
    probes: Type.Integer({ minimum: 0 }),
  }),
});
export type DhcpStatus = Static<typeof DhcpStatus>;
