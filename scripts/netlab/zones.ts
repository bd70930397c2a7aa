// What the lab's upstream resolver knows. The names are those the product's features are about:
// test sites, the operating systems' captive-portal probes, and the big sites whose safe-search
// names a school's DNS rewrites to. Nothing else resolves, and the resolver never forwards.
import { INTERNET } from './addresses.ts';

/** A site the DNS tests put on a `social` list (see HOSTS). */
export const LISTED_SITE = 'chat.social.test';
/** An alias of LISTED_SITE (see CNAMES). */
export const CLOAKED_SITE = 'cloaked.school.test';
/** A TXT answer larger than plain UDP's 512 bytes (see TXT). */
export const LARGE_TXT_NAME = 'big.school.test';

/** Exact names: `host-record` answers. */
export const HOSTS: Readonly<Record<string, string>> = {
  'school.test': INTERNET.web,
  'www.school.test': INTERNET.web,
  'other.test': INTERNET.web2,
  // OS captive-portal probes (Android, Apple, Windows, Firefox).
  'connectivitycheck.gstatic.com': INTERNET.web,
  'clients3.google.com': INTERNET.web,
  'captive.apple.com': INTERNET.web,
  'www.msftconnecttest.com': INTERNET.web,
  'detectportal.firefox.com': INTERNET.web,
  // Well-known sites, and the safe-search targets a filtering resolver points them at.
  'www.google.com': INTERNET.web,
  'google.com': INTERNET.web,
  'www.google.co.uk': INTERNET.web,
  'www.youtube.com': INTERNET.web,
  'youtube.com': INTERNET.web,
  'm.youtube.com': INTERNET.web,
  'www.bing.com': INTERNET.web,
  'bing.com': INTERNET.web,
  'duckduckgo.com': INTERNET.web,
  'www.duckduckgo.com': INTERNET.web,
  'forcesafesearch.google.com': INTERNET.safeSearch,
  'restrict.youtube.com': INTERNET.safeSearch,
  'restrictmoderate.youtube.com': INTERNET.safeSearch,
  'strict.bing.com': INTERNET.safeSearch,
  'safe.duckduckgo.com': INTERNET.safeSearch,
  // A public-looking name answering with a private address: the DNS-rebinding case.
  'rebind.other.test': '192.168.1.1',
  // A site the DNS tests put on a `social` list: real here, so only the gateway's policy blocks it.
  [LISTED_SITE]: INTERNET.web2,
};

/** Whole domains: the name and every name under it (`address=/domain/`). */
export const WILDCARDS: Readonly<Record<string, string>> = {
  'example.test': INTERNET.web,
};

/** Aliases, for CNAME-chain checks: alias -> target (the target must be in HOSTS). */
export const CNAMES: Readonly<Record<string, string>> = {
  'video.school.test': 'www.youtube.com',
  'search.school.test': 'www.google.com',
  // An allowed-looking name that aliases to a listed one: CNAME cloaking.
  [CLOAKED_SITE]: LISTED_SITE,
};

export const TXT: Readonly<Record<string, string>> = {
  'txt.school.test': 'schoolgate lab',
  // An answer too large for plain (non-EDNS) UDP: dnsmasq reads each comma as the start of another
  // string, so this is one TXT record of eight 100-byte strings (about 850 bytes on the wire).
  [LARGE_TXT_NAME]: Array.from({ length: 8 }, (_, i) => `schoolgate-lab-large-answer-${i}-`.padEnd(100, 'x')).join(','),
};

/** Every name the lab's TLS certificate must cover. */
export function certificateNames(): string[] {
  const names = new Set<string>([...Object.keys(HOSTS), ...Object.keys(CNAMES)]);
  for (const domain of Object.keys(WILDCARDS)) {
    names.add(domain);
    names.add(`*.${domain}`);
  }
  names.delete('rebind.other.test');
  return [...names];
}
