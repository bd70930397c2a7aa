// A device moved into another device group as a change request (pure): when the move lets it
// reach more than it does now (widening.ts), one person may not make it. The device's group lives
// in state.db's devices table, so what the request is checked against is the device as the table
// holds it, passed in.
import type { Config } from '../../config/schema.ts';
import { MacAddressError, normaliseMac } from '../../state/mac.ts';
import type { DeviceGroupProposal } from './change-schema.ts';
import { moveWidening, wideningWords, type Widening } from './widening.ts';

/** The control failure code of a one-person move that must be asked for as a change request (HTTP 409, CLI exit 1). */
export const CHANGE_REQUEST_NEEDED = 'change-request-needed';

type MoveConfig = Pick<Config, 'networks' | 'deviceGroups' | 'policies' | 'schedules'>;

/** A device as the devices table holds it: its group and the network it was last seen on. */
export interface DeviceFacts {
  groupId: string | null;
  networkId: string;
}

/** The devices table's device by MAC (canonical spelling), undefined when it is not there. */
export type DeviceFactsOf = (mac: string) => DeviceFacts | undefined;

/** "Year 3", or "the network's default" for none. */
export function groupWords(config: Pick<Config, 'deviceGroups'>, id: string | null): string {
  if (id === null) return "the network's default";
  return config.deviceGroups.find((g) => g.id === id)?.name ?? id;
}

/** "moving Sam's iPad from Year 3 to Staff laptops lets it reach Social networking and Streaming". */
export function moveWords(config: MoveConfig, device: string, from: string | null, to: string | null, w: Widening, categoryTitle: (id: string) => string | undefined): string {
  const what = wideningWords(w, categoryTitle);
  return `moving ${device} from ${groupWords(config, from)} to ${groupWords(config, to)}${what === '' ? ' lets it reach nothing more' : ` ${what}`}`;
}

/** The refusal a one-person move that widens gets, naming the way to ask instead. */
export function moveNeedsRequestWords(config: MoveConfig, device: string, from: string | null, to: string | null, w: Widening, categoryTitle: (id: string) => string | undefined): string {
  return `${moveWords(config, device, from, to, w, categoryTitle)}: that is a filtering change; ask for it as a change request`;
}

/** Whether moving this device from its group now to `to` widens what it reaches. */
export function deviceMoveWidening(config: MoveConfig, device: DeviceFacts, to: string | null): Widening {
  return moveWidening(config, device.networkId, device.groupId, to);
}

/** Why this move cannot be asked for now, or undefined. */
export function deviceMoveRefusal(p: DeviceGroupProposal, config: Pick<Config, 'deviceGroups'>, deviceOf: DeviceFactsOf | undefined): string | undefined {
  let mac: string;
  try {
    mac = normaliseMac(p.mac);
  } catch (error) {
    if (error instanceof MacAddressError) return `a device is named by its MAC address, and ${error.message}`;
    throw error;
  }
  const groups = config.deviceGroups.map((g) => g.id);
  if (p.to !== null && !groups.includes(p.to)) return `there is no device group "${p.to}"${groups.length > 0 ? ` (groups: ${groups.join(', ')})` : ''}`;
  const device = deviceOf?.(mac);
  if (device === undefined) return `the device ${mac} is not in the devices table: add it first (it joins the network default until moved)`;
  if (device.groupId !== p.from) return `the device is in ${groupWords(config, device.groupId)} now, not ${groupWords(config, p.from)}: ask again from where it is`;
  if (p.to === p.from) return `the device is already in ${groupWords(config, p.to)}`;
  return undefined;
}

/** The head approves a move of a device on any network that is not a staff network (pupils, guests, school devices). */
export function deviceMoveNeedsHead(config: Pick<Config, 'networks'>, device: DeviceFacts | undefined): boolean {
  return device === undefined || config.networks.find((n) => n.id === device.networkId)?.kind !== 'staff';
}

/** The proposal as it is stored: the MAC in the devices table's spelling. Run after deviceMoveRefusal. */
export const canonicalMove = (p: DeviceGroupProposal): DeviceGroupProposal => ({ ...p, mac: normaliseMac(p.mac) });
