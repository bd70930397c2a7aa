// What to do about the counts in the attempt sets (bypass_attempts_*, p2p_attempts_*): a network
// event per device once per window, with the packets refused since its last event. Pure: the
// sets' elements, the networks, the device table and the recent events come in; decisions and
// the nft lines that reset what was reported go out.
import type { Network } from '../config/schema.ts';
import { parseAddress, parsePrefix, prefixContains, type Prefix } from '../clients/ip.ts';
import type { Device, NetworkEventKind } from '../state/schemas.ts';
import { normaliseMac } from '../state/mac.ts';
import { ATTEMPT_SETS } from './p2p-rules.ts';
import { TABLE_FAMILY, TABLE_NAME } from './ruleset.ts';

export type AttemptKind = Extract<NetworkEventKind, 'net.bypass' | 'net.p2p'>;

/** One event per device per hour: an alert source, not a packet log. */
export const ATTEMPTS_WINDOW_MS = 3_600_000;

export const ATTEMPT_SETS_BY_KIND: Readonly<Record<AttemptKind, (typeof ATTEMPT_SETS)[keyof typeof ATTEMPT_SETS]>> = {
  'net.bypass': ATTEMPT_SETS.bypass,
  'net.p2p': ATTEMPT_SETS.p2p,
};

export interface AttemptFinding {
  kind: AttemptKind;
  address: string;
  mac: string;
  /** The network whose subnets hold the address (else the device's last lease's); null if neither. */
  networkId: string | null;
  name: string;
  /** Packets refused since the device's last event (or since the set first counted it). */
  packets: number;
  /** A network event is due (none for this device within the window). */
  record: boolean;
}

/** Who a recorded event was about: the same key for an event and a set element. */
export function attemptKey(mac: string, address: string): string {
  return `${mac} ${address}`;
}

/** `10.20.0.10 . 02:5c:00:20:00:10` (as nft lists an address . MAC element) → its parts. */
export function parseAttemptElement(value: string): { address: string; mac: string } {
  const [address, mac, ...rest] = value.split(' . ');
  if (address === undefined || mac === undefined || rest.length > 0 || parseAddress(address) === undefined) {
    throw new Error(`unexpected attempt set element "${value}"`);
  }
  return { address, mac: normaliseMac(mac) };
}

export interface AttemptsInput {
  kind: AttemptKind;
  elements: readonly { value: string; packets: number }[];
  networks: readonly Network[];
  device: (mac: string) => Device | undefined;
  /** attemptKey()s with an event of this kind within the window already. */
  recorded: ReadonlySet<string>;
}

function networkOf(address: string, networks: readonly Network[]): string | null {
  const parsed = parseAddress(address);
  if (!parsed) return null;
  for (const n of networks) {
    for (const subnet of n.subnets) {
      const prefix = parsePrefix(subnet);
      if (!('error' in prefix) && prefixContains(prefix as Prefix, parsed)) return n.id;
    }
  }
  return null;
}

export function attemptFindings(input: AttemptsInput): AttemptFinding[] {
  return input.elements.map(({ value, packets }) => {
    const { address, mac } = parseAttemptElement(value);
    const device = input.device(mac);
    return {
      kind: input.kind,
      address,
      mac,
      networkId: networkOf(address, input.networks) ?? device?.networkId ?? null,
      name: device?.name ?? '',
      packets,
      record: !input.recorded.has(attemptKey(mac, address)),
    };
  });
}

/**
 * Lines that take the reported elements out of their sets, so the next event counts only what
 * came after this one. nft refuses to delete a missing element (it may have timed out since the
 * listing): a one-second element is added first and the pair cancels out.
 */
export function resetLines(findings: readonly AttemptFinding[]): string[] {
  return findings.filter((f) => f.record).flatMap((f) => {
    const sets = ATTEMPT_SETS_BY_KIND[f.kind];
    const set = `${TABLE_FAMILY} ${TABLE_NAME} ${f.address.includes(':') ? sets.v6 : sets.v4}`;
    const element = `${f.address} . ${f.mac}`;
    return [`add element ${set} { ${element} timeout 1s }`, `delete element ${set} { ${element} }`];
  });
}
