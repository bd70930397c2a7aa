// Names answered NXDOMAIN on every network, whatever the policy, because the answer itself tells
// a device to keep its DNS (and so its filtering) on the gateway. Each query for one is a bypass
// attempt worth an alert: the caller records it as such. Exact names only: these are signals
// defined by their vendors, not domains with content below them.
//
// DoH/DoT resolvers, VPN and proxy providers are a different matter: they are listed in the
// `bypass` category and blocked by policy like any other category.

export interface BypassName {
  readonly name: string;
  readonly vendor: string;
  /** Why NXDOMAIN, for the alert and the README. */
  readonly why: string;
}

export const BYPASS_NAMES: readonly BypassName[] = [
  {
    name: 'use-application-dns.net',
    vendor: 'Mozilla Firefox',
    why: "Firefox's DNS-over-HTTPS canary: NXDOMAIN tells Firefox not to switch on DoH by default, so it keeps asking the gateway",
  },
  {
    name: 'mask.icloud.com',
    vendor: 'Apple iCloud Private Relay',
    why: 'NXDOMAIN tells Apple devices that this network does not allow Private Relay, so their traffic stays visible to the filter',
  },
  {
    name: 'mask-h2.icloud.com',
    vendor: 'Apple iCloud Private Relay',
    why: "Private Relay's HTTP/2 fallback: answered like mask.icloud.com so the relay cannot be reached either way",
  },
];

const byName: ReadonlyMap<string, BypassName> = new Map(BYPASS_NAMES.map((b) => [b.name, b]));

/** The entry for `name` (lower-case, no final dot), or undefined. One map lookup. */
export function bypassName(name: string): BypassName | undefined {
  return byName.get(name);
}

export function isBypassName(name: string): boolean {
  return byName.has(name);
}
