// The control-socket methods behind `schoolgate devices …`: the device table the leases fill,
// and the two things a technician sets on a device (its friendly name and its device group).
// Each change and its audit entry are one transaction; a group change reaches DNS at once.
// A group that lets the device reach more than it does now is a filtering change: refused here
// (`change-request-needed`), asked for as a change request (control/changes/device-move.ts).
import { Type, type Static } from 'typebox';
import { Id, type Config } from '../config/schema.ts';
import type { AuditLog } from '../control/audit.ts';
import { actorOf, type ControlRequest } from '../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../control/server.ts';
import type { DeviceRepository } from '../state/devices.ts';
import { MacAddressError, normaliseMac } from '../state/mac.ts';
import { Device, DEVICE_NAME_MAX, DeviceOwner, SUSPEND_REASON_MAX, type DevicePatch } from '../state/schemas.ts';
import { MAX_SUSPENSION_SECONDS } from '../net/suspensions.ts';
import type { SuspensionEnforcer } from '../net/suspensions.ts';
import { InvalidInputError, NotFoundError } from '../state/values.ts';
import { CATALOGUE } from '../config/defaults.ts';
import { CHANGE_REQUEST_NEEDED, moveNeedsRequestWords } from '../control/changes/device-move.ts';
import { isWidening, moveWidening } from '../control/changes/widening.ts';

const categoryTitle = (id: string): string | undefined => CATALOGUE.categories.get(id)?.title;

/** Refuses a move of a device (by its name in words) on `networkId` from `from` to `to` that lets it reach more. */
export function refuseWidening(config: Readonly<Config>, device: string, networkId: string, from: string | null, to: string | null, then = ''): void {
  const w = moveWidening(config, networkId, from, to);
  if (isWidening(w)) throw new ControlFailure(CHANGE_REQUEST_NEEDED, `${moveNeedsRequestWords(config, device, from, to, w, categoryTitle)}${then}`);
}

export const DevicesView = Type.Object({ devices: Type.Array(Device) });
export type DevicesView = Static<typeof DevicesView>;

export const DeviceNameParams = Type.Object({
  mac: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.String({ maxLength: DEVICE_NAME_MAX }),
}, { additionalProperties: false });
export type DeviceNameParams = Static<typeof DeviceNameParams>;

export const DeviceGroupParams = Type.Object({
  mac: Type.String({ minLength: 1, maxLength: 64 }),
  group: Type.Union([Id, Type.Null()], { description: 'a device group in the configuration, or null for the network\'s default' }),
}, { additionalProperties: false });
export type DeviceGroupParams = Static<typeof DeviceGroupParams>;

export const DeviceAddParams = Type.Object({
  mac: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.String({ minLength: 1, maxLength: DEVICE_NAME_MAX }),
  group: Type.Union([Id, Type.Null()], { description: 'a device group in the configuration, or null for the network\'s default' }),
  network: Id,
  schoolOwned: Type.Optional(Type.Boolean({ description: 'the school owns it (default true: what a school adds in advance is usually its own)' })),
}, { additionalProperties: false });
export type DeviceAddParams = Static<typeof DeviceAddParams>;

export const DeviceOwnerParams = Type.Object({
  mac: Type.String({ minLength: 1, maxLength: 64 }),
  schoolOwned: Type.Boolean({ description: 'the school owns it: it is never expected on a guest network' }),
}, { additionalProperties: false });
export type DeviceOwnerParams = Static<typeof DeviceOwnerParams>;

export const DeviceOwnedByParams = Type.Object({
  mac: Type.String({ minLength: 1, maxLength: 64 }),
  owner: DeviceOwner,
}, { additionalProperties: false });
export type DeviceOwnedByParams = Static<typeof DeviceOwnedByParams>;

export const DeviceSuspendParams = Type.Object({
  mac: Type.String({ minLength: 1, maxLength: 64 }),
  seconds: Type.Integer({ minimum: 1, maximum: MAX_SUSPENSION_SECONDS, description: 'how long from now (the CLI\'s --for)' }),
  reason: Type.String({ minLength: 1, maxLength: SUSPEND_REASON_MAX }),
}, { additionalProperties: false });
export type DeviceSuspendParams = Static<typeof DeviceSuspendParams>;

export const DeviceResumeParams = Type.Object({ mac: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type DeviceResumeParams = Static<typeof DeviceResumeParams>;

export const SuspensionResult = Type.Object({
  device: Device,
  enforced: Type.Boolean({ description: 'the nftables set was changed; false while the firewall is switched off (the record is kept)' }),
});
export type SuspensionResult = Static<typeof SuspensionResult>;

export interface DeviceMethodDeps {
  config: { readonly current: Readonly<Config> };
  devices: DeviceRepository;
  audit: Pick<AuditLog, 'append'>;
  /** Runs a change and its audit entry as one transaction (StateDatabase.transaction). */
  transaction: <T>(fn: () => T) => T;
  /** DNS applies the new group to every address the device holds (DnsThreads.regroupDevice). */
  regroup: (mac: string, group: string | null) => void;
  /** Mirrors a suspension into the firewall's `suspended` set. */
  suspensions: SuspensionEnforcer;
  now: () => Date;
}

type Caller = ControlRequest['caller'];

/** A bad MAC, a name too long: the technician's input, named (the CLI exits 4). */
export function asControlFailure(error: unknown): never {
  if (error instanceof MacAddressError || error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
  if (error instanceof NotFoundError) throw new ControlFailure('unknown-device', error.message);
  throw error;
}

/** The device fields a technician sets, each one control method and audit action. */
type DeviceField = 'name' | 'schoolOwned' | 'groupId' | 'owner';

export function registerDeviceMethods(control: Pick<ControlServer, 'register'>, deps: DeviceMethodDeps): void {
  const { config, devices, audit, transaction } = deps;
  /**
   * Sets one field of a device and audits it (`absent`: the "from" of a device not in the table
   * yet) in one transaction; `then` runs after the commit. The technician's bad input becomes a
   * ControlFailure.
   */
  const change = <K extends DeviceField>(caller: Caller, rawMac: string, field: K, value: Device[K], action: string, absent: Device[K],
    then?: (mac: string, device: Device) => void): Device => {
    try {
      const mac = normaliseMac(rawMac);
      const patch: DevicePatch = {};
      patch[field] = value;
      const device = transaction(() => {
        const before = devices.get(mac);
        const updated = devices.update(mac, patch);
        audit.append({ actor: actorOf(caller), action, subject: mac, details: { from: before?.[field] ?? absent, to: updated[field] } });
        return updated;
      });
      then?.(mac, device);
      return device;
    } catch (error) {
      return asControlFailure(error);
    }
  };
  control.register('devices', { handle: (): DevicesView => ({ devices: devices.list() }) });
  control.register<DeviceNameParams>('devices.name', {
    params: DeviceNameParams,
    handle: (params, caller) => change(caller, params.mac, 'name', params.name, 'device.name', ''),
  });
  control.register<DeviceOwnerParams>('devices.owner', {
    params: DeviceOwnerParams,
    handle: (params, caller) => change(caller, params.mac, 'schoolOwned', params.schoolOwned, 'device.owner', false),
  });
  // Who it belongs to, as free text (a person, "school", a class), beside schoolOwned (which the
  // "school device on a guest network" event reads): an empty owner clears it.
  control.register<DeviceOwnedByParams>('devices.owned-by', {
    params: DeviceOwnedByParams,
    handle: (params, caller) => change(caller, params.mac, 'owner', params.owner, 'device.owned-by', ''),
  });
  const knownGroup = (group: string | null): void => {
    const groups = config.current.deviceGroups;
    if (group !== null && !groups.some((g) => g.id === group)) {
      throw new ControlFailure('invalid-input', `there is no device group "${group}" in the configuration (groups: ${groups.map((g) => g.id).join(', ') || 'none'})`);
    }
  };
  // A device added before it ever joins: in the table with its name and group, so its first
  // lease finds them (and DNS applies the group from its first question).
  control.register<DeviceAddParams>('devices.add', {
    params: DeviceAddParams,
    handle: (params, caller) => {
      knownGroup(params.group);
      const networks = config.current.networks;
      if (!networks.some((n) => n.id === params.network)) {
        throw new ControlFailure('invalid-input', `there is no network "${params.network}" in the configuration (networks: ${networks.map((n) => n.id).join(', ')})`);
      }
      try {
        const mac = normaliseMac(params.mac);
        // A device added straight into a group is a move from its network's default.
        refuseWidening(config.current, params.name, params.network, null, params.group, " (add it in the network's default, then ask to move it)");
        return transaction(() => {
          const device = devices.enrol(mac, params.network, deps.now(), { name: params.name, groupId: params.group, schoolOwned: params.schoolOwned ?? true });
          audit.append({ actor: actorOf(caller), action: 'device.add', subject: mac, details: { name: device.name, group: device.groupId, network: device.networkId, schoolOwned: device.schoolOwned } });
          return device;
        });
      } catch (error) {
        return asControlFailure(error);
      }
    },
  });
  control.register<DeviceGroupParams>('devices.group', {
    params: DeviceGroupParams,
    handle: (params, caller) => {
      knownGroup(params.group);
      let known: Device | undefined;
      try {
        known = devices.get(normaliseMac(params.mac));
      } catch (error) {
        return asControlFailure(error);
      }
      // A device not in the table yet has no network to read a policy from: update refuses it.
      if (known !== undefined) refuseWidening(config.current, known.name || known.hostname || known.mac, known.networkId, known.groupId, params.group);
      // After the commit: DNS never applies a group the table does not hold.
      return change(caller, params.mac, 'groupId', params.group, 'device.group', null, (mac, device) => deps.regroup(mac, device.groupId));
    },
  });
  // Stored and audited first (one transaction), then enforced: a failing nft leaves the record,
  // which the next start or apply loads again, and the technician is told.
  control.register<DeviceSuspendParams>('devices.suspend', {
    params: DeviceSuspendParams,
    handle: async (params, caller): Promise<SuspensionResult> => {
      let device: Device;
      try {
        const mac = normaliseMac(params.mac);
        const until = new Date(deps.now().getTime() + params.seconds * 1000);
        device = transaction(() => {
          const updated = devices.suspend(mac, until, params.reason);
          audit.append({ actor: actorOf(caller), action: 'device.suspend', subject: mac, details: { until: updated.suspendedUntil, reason: updated.suspendReason } });
          return updated;
        });
      } catch (error) {
        return asControlFailure(error);
      }
      const enforced = await deps.suspensions.enforce(device.mac, new Date(device.suspendedUntil!));
      return { device, enforced };
    },
  });
  control.register<DeviceResumeParams>('devices.resume', {
    params: DeviceResumeParams,
    handle: async (params, caller): Promise<SuspensionResult> => {
      let device: Device;
      try {
        const mac = normaliseMac(params.mac);
        device = transaction(() => {
          const before = devices.get(mac);
          const updated = devices.unsuspend(mac);
          audit.append({ actor: actorOf(caller), action: 'device.resume', subject: mac, details: { wasUntil: before?.suspendedUntil ?? null } });
          return updated;
        });
      } catch (error) {
        return asControlFailure(error);
      }
      const enforced = await deps.suspensions.lift(device.mac);
      return { device, enforced };
    },
  });
}
