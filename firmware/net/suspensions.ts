// Suspensions as the kernel enforces them: a suspended device's MAC in the ruleset's `suspended`
// set, with what is left of the suspension as the element's timeout, so the kernel lifts it on
// time even if the daemon is down. state.db (devices.suspended_until) stays the record; this
// module only mirrors it into the set, through FirewallService's queue.
//
// Keyed by MAC, as the set is: a suspended device that takes a new address, or a new lease on
// another network, stays cut off without the daemon having to follow it.
import type { Device } from '../state/schemas.ts';
import { normaliseMac } from '../state/mac.ts';
import { TABLE_FAMILY, TABLE_NAME } from './ruleset.ts';

/** A year: longer is a typo, and nft timeouts must stay finite. */
export const MAX_SUSPENSION_SECONDS = 366 * 86_400;

const SET = `${TABLE_FAMILY} ${TABLE_NAME} suspended`;

/**
 * Lines that take a MAC out of a set whether or not it is there: nft refuses to delete a
 * missing element, so a one-second element is added first and the pair cancels out.
 */
export function removalLines(mac: string, set: 'suspended' | 'tethering_suspects' = 'suspended'): string[] {
  const key = normaliseMac(mac);
  const name = `${TABLE_FAMILY} ${TABLE_NAME} ${set}`;
  return [`add element ${name} { ${key} timeout 1s }`, `delete element ${name} { ${key} }`];
}

/**
 * Lines that put a MAC in the set for what is left until `until` (rounded up to a whole second),
 * replacing any element it had: re-adding an element keeps its old timeout. Empty when the
 * suspension has already ended.
 */
export function suspensionLines(mac: string, until: Date, now: Date): string[] {
  const left = Math.ceil((until.getTime() - now.getTime()) / 1000);
  if (left <= 0) return [];
  return [...removalLines(mac), `add element ${SET} { ${normaliseMac(mac)} timeout ${left}s }`];
}

/** Every suspension still in force at `now`, as lines for one transaction (the daemon's start). */
export function allSuspensionLines(devices: readonly Device[], now: Date): string[] {
  return devices.flatMap((d) => (d.suspendedUntil === null ? [] : suspensionLines(d.mac, new Date(d.suspendedUntil), now)));
}

/** What the control methods need from enforcement; false: stored, but the firewall is off. */
export interface SuspensionEnforcer {
  enforce(mac: string, until: Date): Promise<boolean>;
  lift(mac: string): Promise<boolean>;
}

/** The enforcer over FirewallService.changeElements and a clock. */
export function suspensionEnforcer(change: (lines: readonly string[]) => Promise<boolean>, now: () => Date): SuspensionEnforcer {
  return {
    enforce: (mac, until) => change(suspensionLines(mac, until, now())),
    // A resumed device is forgiven its tethering too, or the next check would suspend it again.
    lift: (mac) => change([...removalLines(mac), ...removalLines(mac, 'tethering_suspects')]),
  };
}
