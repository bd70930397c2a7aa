// The devices page's API shapes (devices.view / devices.manage). The table is the CLI's device
// and lease views side by side; each change's body is the control method's parameters without
// the MAC, which is in the URL.
import { Type, type Static } from 'typebox';
import { Id } from '../../config/schema.ts';
import { DeviceAddParams, DeviceGroupParams, DeviceNameParams, DeviceOwnedByParams, DeviceOwnerParams, DeviceSuspendParams, SuspensionResult } from '../../dhcp/device-methods.ts';
import { ReserveParams, ReserveResult } from '../../dhcp/lease-methods.ts';
import { CapResultView, DeviceCapParams } from '../../net/shaping/cap-methods.ts';
import { Device, Lease } from '../../state/schemas.ts';
import { Reservation } from '../../config/schema.ts';

export const DevicesPage = Type.Object({
  at: Type.String({ description: 'when the leases in force were judged' }),
  devices: Type.Array(Device),
  leases: Type.Array(Lease, { description: 'the leases in force' }),
  reservations: Type.Array(Reservation),
  groups: Type.Array(Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false })),
  networks: Type.Array(Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false })),
}, { additionalProperties: false });
export type DevicesPage = Static<typeof DevicesPage>;

/** POST /api/devices: a device added by its MAC before it ever joins (`schoolgate devices add`). */
export const DeviceAddBody = DeviceAddParams;
export type DeviceAddBody = Static<typeof DeviceAddBody>;

/** PATCH /api/devices/:mac: any of the three, each its own control method and audit entry. */
export const DeviceEditBody = Type.Object({
  name: Type.Optional(DeviceNameParams.properties.name),
  group: Type.Optional(DeviceGroupParams.properties.group),
  schoolOwned: Type.Optional(DeviceOwnerParams.properties.schoolOwned),
  owner: Type.Optional(DeviceOwnedByParams.properties.owner),
}, { additionalProperties: false });
export type DeviceEditBody = Static<typeof DeviceEditBody>;

export const SuspendBody = Type.Object({
  seconds: DeviceSuspendParams.properties.seconds,
  reason: DeviceSuspendParams.properties.reason,
}, { additionalProperties: false });
export type SuspendBody = Static<typeof SuspendBody>;

export const CapBody = Type.Object({
  downKbit: DeviceCapParams.properties.downKbit,
  upKbit: DeviceCapParams.properties.upKbit,
}, { additionalProperties: false });
export type CapBody = Static<typeof CapBody>;

export const ReserveBody = Type.Object({
  address: ReserveParams.properties.address,
  name: ReserveParams.properties.name,
  group: ReserveParams.properties.group,
}, { additionalProperties: false });
export type ReserveBody = Static<typeof ReserveBody>;

export const MacParams = Type.Object({ mac: Type.String({ minLength: 1, maxLength: 64 }) });

export { CapResultView, ReserveResult, SuspensionResult };
export type { Device, Lease, Reservation };
