// Shapes of what state.db stores, as TypeBox schemas: the API and the CLI's --json output derive
// from these, so a column added here is described once.
import { Type, type Static } from 'typebox';
import { Id } from '../config/schema.ts';
import { DEVICE_OWNER_MAX } from './device-owner.ts';

export const MacAddress = Type.String({
  pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$',
  description: 'a device MAC address, lower-case hex pairs separated by colons, e.g. 3c:22:fb:01:a2:9e',
});
export type MacAddress = Static<typeof MacAddress>;

export const IsoTimestamp = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
  description: 'an instant in UTC, ISO-8601 with milliseconds, e.g. 2026-03-02T08:45:00.000Z',
});
export type IsoTimestamp = Static<typeof IsoTimestamp>;

export const DEVICE_NAME_MAX = 64;
export const DEVICE_NOTES_MAX = 2000;
export const SUSPEND_REASON_MAX = 500;
export { DEVICE_OWNER_MAX } from './device-owner.ts';
/**
 * Who a device belongs to, as staff write it: a person's name, "school", a class. One line of
 * text (it is shown in tables and printed reviews), stored trimmed; empty when no one said.
 */
export const DeviceOwner = Type.String({
  maxLength: DEVICE_OWNER_MAX,
  pattern: '^[^\\u0000-\\u001f\\u007f]*$',
  description: 'who the device belongs to (a member of staff, "school", a class): free text, at most 80 characters, no control characters; empty if not known',
});

/** A bandwidth cap in kbit/s: 64 kbit/s (below it nothing works) to 100 Gbit/s. */
export const CAP_KBIT_MIN = 64;
export const CAP_KBIT_MAX = 100_000_000;
export const CapKbit = Type.Integer({ minimum: CAP_KBIT_MIN, maximum: CAP_KBIT_MAX });

export const Device = Type.Object({
  mac: MacAddress,
  name: Type.String({ maxLength: DEVICE_NAME_MAX, description: 'what staff call it; empty until someone names it' }),
  groupId: Type.Union([Id, Type.Null()], { description: 'device group from the configuration, or null for the network default' }),
  networkId: Id, // the network it was last seen on
  firstSeen: IsoTimestamp,
  lastSeen: IsoTimestamp,
  schoolOwned: Type.Boolean(),
  notes: Type.String({ maxLength: DEVICE_NOTES_MAX }),
  suspendedUntil: Type.Union([IsoTimestamp, Type.Null()], { description: 'no access until this instant; null when not suspended' }),
  suspendReason: Type.Union([Type.String({ minLength: 1, maxLength: SUSPEND_REASON_MAX }), Type.Null()]),
  hostname: Type.String({ maxLength: 255, description: 'the name the device gave in its last DHCP request (option 12); empty if none' }),
  vendorClass: Type.String({ maxLength: 255, description: 'the DHCP vendor class it sent (option 60), e.g. "android-dhcp-14"; empty if none' }),
  randomisedMac: Type.Boolean({ description: 'the MAC has the locally administered bit set: a "private" address the device may change' }),
  owner: DeviceOwner,
  capDownKbit: Type.Union([CapKbit, Type.Null()], { description: 'the device\'s own download cap (kbit/s); null: its policy\'s device cap, if any' }),
  capUpKbit: Type.Union([CapKbit, Type.Null()], { description: 'the device\'s own upload cap (kbit/s); null: its policy\'s device cap, if any' }),
}, { additionalProperties: false });
export type Device = Static<typeof Device>;

export const DevicePatch = Type.Object({
  name: Type.Optional(Type.String({ maxLength: DEVICE_NAME_MAX })),
  groupId: Type.Optional(Type.Union([Id, Type.Null()])),
  schoolOwned: Type.Optional(Type.Boolean()),
  notes: Type.Optional(Type.String({ maxLength: DEVICE_NOTES_MAX })),
  owner: Type.Optional(DeviceOwner),
}, { additionalProperties: false });
export type DevicePatch = Static<typeof DevicePatch>;

export const LeaseState = Type.Union([Type.Literal('offered'), Type.Literal('bound'), Type.Literal('declined'), Type.Literal('released')], {
  description: 'offered: held for a client between OFFER and REQUEST; bound: ACKed (active until expires); declined: a client found the address in use, quarantined until expires; released: given back by its client',
});
export type LeaseState = Static<typeof LeaseState>;

export const Lease = Type.Object({
  networkId: Id,
  address: Type.String({ minLength: 7, maxLength: 15, description: 'an IPv4 address' }),
  clientKey: Type.String({ minLength: 1, maxLength: 600, description: 'how the server knows the client: "id:" and the hex client identifier (option 61), or "mac:" and its MAC' }),
  mac: MacAddress,
  clientId: Type.Union([Type.String({ pattern: '^([0-9a-f]{2})*$', maxLength: 510 }), Type.Null()], { description: 'option 61 as hex, or null' }),
  hostname: Type.String({ maxLength: 255 }),
  vendorClass: Type.String({ maxLength: 255 }),
  parameters: Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), { maxItems: 255, description: 'the options the client asked for (option 55), in its order' }),
  relayAgent: Type.Union([Type.String({ minLength: 7, maxLength: 15, description: 'an IPv4 address' }), Type.Null()], { description: 'giaddr of the relay agent the request came through, or null' }),
  relayInfo: Type.Union([Type.String({ pattern: '^([0-9a-f]{2})*$', maxLength: 510 }), Type.Null()], { description: 'option 82 (relay agent information) as hex, or null' }),
  state: LeaseState,
  expires: IsoTimestamp,
  updated: IsoTimestamp,
}, { additionalProperties: false });
export type Lease = Static<typeof Lease>;

export const NetworkEventKind = Type.Union([
  Type.Literal('dhcp.rogue-server'),
  Type.Literal('dhcp.pool-exhausted'),
  Type.Literal('dhcp.starvation'),
  Type.Literal('dhcp.school-device-on-guest'),
  Type.Literal('dhcp.declined'),
  Type.Literal('dhcp.rate-limited'),
  Type.Literal('dhcp.address-in-use'),
  Type.Literal('net.tethering'),
  Type.Literal('net.bypass'),
  Type.Literal('net.p2p'),
  Type.Literal('net.suspended'),
  Type.Literal('portal.lockout'),
  Type.Literal('portal.voucher-policy-missing'),
], { description: 'what happened on the network' });
export type NetworkEventKind = Static<typeof NetworkEventKind>;

export const NetworkEvent = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  at: IsoTimestamp,
  kind: NetworkEventKind,
  networkId: Type.Union([Id, Type.Null()]),
  interface: Type.Union([Type.String({ maxLength: 15 }), Type.Null()]),
  mac: Type.Union([MacAddress, Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown(), { description: 'what the kind needs: addresses, counts, the offending server' }),
}, { additionalProperties: false });
export type NetworkEvent = Static<typeof NetworkEvent>;
