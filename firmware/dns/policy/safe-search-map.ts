// Safe search by CNAME rewrite: a search engine's name is answered with a CNAME to the
// provider's enforced-safe-search host, which serves the same site with filtering locked on.
// The map is exact names only: `google.example.com` and `notgoogle.com` are nobody's search.
//
// What each provider offers:
// - Google: one enforced mode. forcesafesearch.google.com locks SafeSearch to "filter" (explicit
//   results hidden); there is no DNS-enforced lighter setting, so moderate and strict both use it.
// - YouTube: two. restrictmoderate.youtube.com is Restricted Mode "moderate" (hides mature
//   videos, keeps most); restrict.youtube.com is "strict" (a much smaller, safer catalogue).
// - Bing: one. strict.bing.com locks SafeSearch to strict; Bing has no DNS-enforced moderate.
// - DuckDuckGo: one. safe.duckduckgo.com locks safe search to strict.
// So "moderate" differs from "strict" only on YouTube: a school that wants moderate for staff
// still gets Google's and Bing's single enforced mode rather than none.

export type SafeSearchMode = 'off' | 'moderate' | 'strict';

export const GOOGLE_SAFE = 'forcesafesearch.google.com';
export const YOUTUBE_STRICT = 'restrict.youtube.com';
export const YOUTUBE_MODERATE = 'restrictmoderate.youtube.com';
export const BING_STRICT = 'strict.bing.com';
export const DUCKDUCKGO_SAFE = 'safe.duckduckgo.com';

export const YOUTUBE_NAMES: readonly string[] = [
  'www.youtube.com', 'm.youtube.com', 'youtubei.googleapis.com', 'youtube.googleapis.com', 'www.youtube-nocookie.com',
];
export const BING_NAMES: readonly string[] = ['www.bing.com'];
export const DUCKDUCKGO_NAMES: readonly string[] = ['duckduckgo.com', 'www.duckduckgo.com'];

// google.<one or two labels>: the shape of every Google country domain.
const GOOGLE_DOMAIN = /^google(\.[a-z]{2,3}){1,2}$/;

/** Reads google-domains.txt: one domain per line, `#` comments, a leading dot allowed. Throws on a malformed line. */
export function parseGoogleDomains(text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const hash = line.indexOf('#');
    const entry = (hash >= 0 ? line.slice(0, hash) : line).trim().toLowerCase().replace(/^\./, '');
    if (entry === '') return;
    if (!GOOGLE_DOMAIN.test(entry)) throw new Error(`google-domains line ${i + 1}: "${entry}" is not a Google search domain (google.<country>)`);
    if (!seen.has(entry)) {
      seen.add(entry);
      out.push(entry);
    }
  });
  return out;
}

export class SafeSearch {
  readonly googleDomains: readonly string[];
  private readonly moderate: ReadonlyMap<string, string>;
  private readonly strict: ReadonlyMap<string, string>;

  private constructor(googleDomains: readonly string[]) {
    this.googleDomains = googleDomains;
    const common = new Map<string, string>();
    for (const domain of googleDomains) {
      common.set(domain, GOOGLE_SAFE);
      common.set(`www.${domain}`, GOOGLE_SAFE);
    }
    for (const name of BING_NAMES) common.set(name, BING_STRICT);
    for (const name of DUCKDUCKGO_NAMES) common.set(name, DUCKDUCKGO_SAFE);
    const moderate = new Map(common);
    const strict = new Map(common);
    for (const name of YOUTUBE_NAMES) {
      moderate.set(name, YOUTUBE_MODERATE);
      strict.set(name, YOUTUBE_STRICT);
    }
    this.moderate = moderate;
    this.strict = strict;
  }

  /** `googleDomainsText` is rules/safe-search/google-domains.txt, read by the caller. */
  static load(googleDomainsText: string): SafeSearch {
    return new SafeSearch(parseGoogleDomains(googleDomainsText));
  }

  /**
   * The CNAME target for `name` (lower-case, no final dot) under `mode`, or undefined when the
   * name is not a search engine's or safe search is off. One map lookup; allocates nothing.
   */
  rewriteFor(name: string, mode: SafeSearchMode): string | undefined {
    if (mode === 'strict') return this.strict.get(name);
    if (mode === 'moderate') return this.moderate.get(name);
    return undefined;
  }

  /** Every name rewritten under `mode`, with its target: for the lab and the UI's safe-search page. */
  entries(mode: SafeSearchMode): [string, string][] {
    return mode === 'off' ? [] : [...(mode === 'strict' ? this.strict : this.moderate)];
  }
}
