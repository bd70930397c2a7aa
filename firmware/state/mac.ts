// One spelling of a MAC address everywhere (lower-case, colons), because the same device reaches
// us as DHCP chaddr bytes, a technician's typing (AA-BB-..., aabb.ccdd.eeff) and nftables output.

export class MacAddressError extends Error {
  override name = 'MacAddressError';
}

const EXAMPLE = 'expected six pairs of hex digits such as 3c:22:fb:01:a2:9e (dashes, dots or no separators are accepted too)';

/** Returns the canonical form or throws MacAddressError saying what is wrong with the input. */
export function normaliseMac(input: string): string {
  if (typeof input !== 'string') throw new MacAddressError(`a MAC address must be text, got ${typeof input}`);
  const shown = JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input);
  const trimmed = input.trim();
  let hex: string | undefined;
  if (/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(trimmed)) hex = trimmed.replace(/[:-]/g, '');
  else if (/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(trimmed)) hex = trimmed.replace(/\./g, '');
  else if (/^[0-9a-fA-F]{12}$/.test(trimmed)) hex = trimmed;
  if (hex === undefined) throw new MacAddressError(`${shown} is not a MAC address: ${EXAMPLE}`);
  hex = hex.toLowerCase();
  if (hex === '000000000000') throw new MacAddressError(`${shown} is the all-zero MAC address, which no real device uses`);
  // The lowest bit of the first octet marks group (multicast/broadcast) addresses: never a client.
  if ((parseInt(hex.slice(0, 2), 16) & 1) === 1) {
    throw new MacAddressError(`${shown} is a multicast or broadcast MAC address, not a device's own address`);
  }
  return hex.match(/../g)!.join(':');
}

/** Randomised "private" addresses (phones, laptops) set the locally-administered bit. */
export function isLocallyAdministered(mac: string): boolean {
  return (parseInt(normaliseMac(mac).slice(0, 2), 16) & 2) === 2;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Six bytes from `at` in the canonical spelling, unchecked: for frames already read with their bounds. */
export function macFromBytes(bytes: Uint8Array, at = 0): string {
  return `${HEX[bytes[at]!]}:${HEX[bytes[at + 1]!]}:${HEX[bytes[at + 2]!]}:${HEX[bytes[at + 3]!]}:${HEX[bytes[at + 4]!]}:${HEX[bytes[at + 5]!]}`;
}
