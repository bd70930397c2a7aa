// A voucher's devices as elements of the ruleset's `authorised_guests` set: address and MAC
// together (a copied MAC on another address, or an address taken over by another MAC, is not
// let through), with what is left of the authorisation as the timeout, so the kernel ends it on
// time even with the daemon down. Pure: lines for FirewallService.changeElements.
import { TABLE_FAMILY, TABLE_NAME } from '../../net/ruleset.ts';
import { normaliseMac } from '../../state/mac.ts';

const SET = `${TABLE_FAMILY} ${TABLE_NAME} authorised_guests`;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function key(address: string, mac: string): string {
  if (!IPV4.test(address)) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
  return `${address} . ${normaliseMac(mac)}`;
}

/** Takes the device out whether or not it is in: nft refuses to delete a missing element. */
export function deauthoriseLines(address: string, mac: string): string[] {
  const k = key(address, mac);
  return [`add element ${SET} { ${k} timeout 1s }`, `delete element ${SET} { ${k} }`];
}

/**
 * Puts the device in until `until` (rounded up to a second), replacing an element it had:
 * re-adding keeps the old timeout. Empty if the time has already run out.
 */
export function authoriseLines(address: string, mac: string, until: Date, now: Date): string[] {
  const left = Math.ceil((until.getTime() - now.getTime()) / 1000);
  if (left <= 0) return [];
  return [...deauthoriseLines(address, mac), `add element ${SET} { ${key(address, mac)} timeout ${left}s }`];
}
