// Shapes of what state.db stores, as TypeBox schemas: the API and the CLI's --json output derive
// from these, so a column added here is described once.
import { Type, type Static } from 'typebox';
import { Id } from '../config/schema.ts';

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
}, { additionalProperties: false });
export type Device = Static<typeof Device>;

export const DevicePatch = Type.Object({
  name: Type.Optional(Type.String({ maxLength: DEVICE_NAME_MAX })),
  groupId: Type.Optional(Type.Union([Id, Type.Null()])),
  schoolOwned: Type.Optional(Type.Boolean()),
  notes: Type.Optional(Type.String({ maxLength: DEVICE_NOTES_MAX })),
}, { additionalProperties: false });
export type DevicePatch = Static<typeof DevicePatch>;
