// Safe search rewrites for every provider and mode, the shipped Google domain list, and the
// bypass canary names.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BYPASS_NAMES, bypassName, isBypassName } from '../../../../firmware/dns/policy/bypass.ts';
import { parseGoogleDomains, SafeSearch } from '../../../../firmware/dns/policy/safe-search-map.ts';

const shipped = readFileSync(new URL('../../../../rules/safe-search/google-domains.txt', import.meta.url), 'utf8');
const safe = SafeSearch.load(shipped);

describe('safe search', () => {
  it('rewrites Google in both enforced modes to its one SafeSearch host', () => {
    for (const mode of ['moderate', 'strict'] as const) {
      expect(safe.rewriteFor('www.google.com', mode)).toBe('forcesafesearch.google.com');
      expect(safe.rewriteFor('google.com', mode)).toBe('forcesafesearch.google.com');
    }
  });

  it('rewrites Google country domains', () => {
    for (const name of ['www.google.co.uk', 'google.co.uk', 'www.google.de', 'google.com.au', 'www.google.co.jp', 'www.google.ie', 'google.cat', 'www.google.com.br']) {
      expect(safe.rewriteFor(name, 'strict')).toBe('forcesafesearch.google.com');
    }
  });

  it('leaves lookalikes and other Google services alone', () => {
    for (const name of ['google.example.com', 'notgoogle.com', 'www.notgoogle.com', 'www.google.co.uk.evil.net', 'google.co', 'mail.google.com', 'forcesafesearch.google.com', 'youtube.com.evil.net']) {
      expect(safe.rewriteFor(name, 'strict')).toBeUndefined();
    }
  });

  it('rewrites YouTube to restrict or restrictmoderate by mode', () => {
    for (const name of ['www.youtube.com', 'm.youtube.com', 'youtubei.googleapis.com', 'youtube.googleapis.com', 'www.youtube-nocookie.com']) {
      expect(safe.rewriteFor(name, 'strict')).toBe('restrict.youtube.com');
      expect(safe.rewriteFor(name, 'moderate')).toBe('restrictmoderate.youtube.com');
      expect(safe.rewriteFor(name, 'off')).toBeUndefined();
    }
  });

  it('rewrites Bing and DuckDuckGo to their single strict hosts', () => {
    for (const mode of ['moderate', 'strict'] as const) {
      expect(safe.rewriteFor('www.bing.com', mode)).toBe('strict.bing.com');
      expect(safe.rewriteFor('duckduckgo.com', mode)).toBe('safe.duckduckgo.com');
      expect(safe.rewriteFor('www.duckduckgo.com', mode)).toBe('safe.duckduckgo.com');
    }
  });

  it('rewrites nothing when safe search is off', () => {
    for (const name of ['www.google.com', 'www.bing.com', 'duckduckgo.com', 'www.youtube.com']) expect(safe.rewriteFor(name, 'off')).toBeUndefined();
    expect(safe.entries('off')).toEqual([]);
  });

  it('ships Google\'s country domains, each with and without www', () => {
    expect(safe.googleDomains.length).toBeGreaterThan(180);
    expect(safe.googleDomains).toEqual(expect.arrayContaining(['google.com', 'google.co.uk', 'google.de', 'google.com.au', 'google.co.in', 'google.fr']));
    const strict = new Map(safe.entries('strict'));
    for (const d of safe.googleDomains) {
      expect(strict.get(d)).toBe('forcesafesearch.google.com');
      expect(strict.get(`www.${d}`)).toBe('forcesafesearch.google.com');
    }
  });
});

describe('google-domains parser', () => {
  it('accepts comments, blank lines, leading dots and duplicates as Google publishes them', () => {
    expect(parseGoogleDomains('# header\n\n.google.com\n.google.co.uk  # UK\r\nGOOGLE.DE\n.google.com\n')).toEqual(['google.com', 'google.co.uk', 'google.de']);
  });

  it('rejects a line that is not a Google search domain, naming the line', () => {
    expect(() => parseGoogleDomains('google.com\nexample.com\n')).toThrow(/line 2: "example.com"/);
    expect(() => parseGoogleDomains('google.evil.example.com\n')).toThrow(/line 1/);
  });
});

describe('bypass names', () => {
  it('names the DoH canary and the Private Relay hosts, exact names only', () => {
    expect(BYPASS_NAMES.map((b) => b.name)).toEqual(['use-application-dns.net', 'mask.icloud.com', 'mask-h2.icloud.com']);
    for (const b of BYPASS_NAMES) {
      expect(isBypassName(b.name)).toBe(true);
      expect(bypassName(b.name)).toBe(b);
    }
    for (const name of ['www.use-application-dns.net', 'icloud.com', 'x.mask.icloud.com', 'mask.icloud.com.evil.net']) {
      expect(isBypassName(name)).toBe(false);
      expect(bypassName(name)).toBeUndefined();
    }
  });
});
