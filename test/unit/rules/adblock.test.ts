import { describe, expect, it } from 'vitest';
import { SKIP_BADFILTER, SKIP_BROWSER_OPTIONS, SKIP_COSMETIC, SKIP_URL } from '../../../firmware/rules/formats/adblock.ts';
import { parseListText } from '../../../firmware/rules/formats/parse.ts';

const parse = (text: string) => parseListText(text, 'adblock');

describe('adblock lists', () => {
  it('reads blocks, exceptions, wildcards, exact anchors and plain names with their lines', () => {
    const parsed = parse([
      '[Adblock Plus 2.0]',
      '! Title: test list',
      '||ads.example.com^',
      '@@||good.example.com^',
      '||*.tracker.example^',
      '|exact.example^',
      'plain.example.org',
      '||Bücher.Example^$important',
      '||third.example^$third-party',
      '0.0.0.0 hosts-style.example',
      '/^ads?[0-9]*\\./',
      '@@/(^|\\.)cdn\\.example$/',
      '# a comment in AdGuard DNS style',
    ].join('\n'));
    expect(parsed.errors).toEqual([]);
    expect(parsed.items).toEqual([
      { type: 'name', name: 'ads.example.com', mode: 'suffix', action: 'block', line: 3 },
      { type: 'name', name: 'good.example.com', mode: 'suffix', action: 'allow', line: 4 },
      { type: 'name', name: 'tracker.example', mode: 'subdomains', action: 'block', line: 5 },
      { type: 'name', name: 'exact.example', mode: 'exact', action: 'block', line: 6 },
      { type: 'name', name: 'plain.example.org', mode: 'suffix', action: 'block', line: 7 },
      { type: 'name', name: 'xn--bcher-kva.example', mode: 'suffix', action: 'block', line: 8 },
      { type: 'name', name: 'third.example', mode: 'suffix', action: 'block', line: 9 },
      { type: 'name', name: 'hosts-style.example', mode: 'suffix', action: 'block', line: 10 },
      { type: 'regex', pattern: '^ads?[0-9]*\\.', action: 'block', line: 11 },
      { type: 'regex', pattern: '(^|\\.)cdn\\.example$', action: 'allow', line: 12 },
    ]);
  });

  it('skips browser-only rules with a counted reason, not an error', () => {
    const parsed = parse([
      'example.com##.banner',
      '##.ad-box',
      'example.com#@#.sponsor',
      'example.com#?#div:has(> .ad)',
      'example.com#%#//scriptlet("abort-on-property-read", "x")',
      'example.com$$script[data-ad]',
      '|https://ads.example.com/banner.js',
      '||example.com/ads/*',
      '||cdn.example^$script,domain=news.example',
      '||img.example^$image',
      '||x.example^$~third-party',
      '||old.example^$badfilter',
    ].join('\n'));
    expect(parsed.errors).toEqual([]);
    expect(parsed.items).toEqual([]);
    expect(parsed.summary.skipped).toEqual([
      { reason: SKIP_COSMETIC, count: 6, firstLine: 1 },
      { reason: SKIP_URL, count: 2, firstLine: 7 },
      { reason: SKIP_BROWSER_OPTIONS, count: 3, firstLine: 9 },
      { reason: SKIP_BADFILTER, count: 1, firstLine: 12 },
    ]);
  });

  it('refuses options that change a rule\'s meaning for DNS, and patterns it cannot express', () => {
    const parsed = parse([
      '||example.org^$denyallow=good.example.org',
      '||example.net^$client=192.168.0.5',
      '||example.com^$dnstype=AAAA',
      '||ads*.example.com^',
      'ad.*.example.com',
      '||http://[::1]^',
      '/(a+)+$/',
      '||-bad-.example^',
      '||ok.example^ trailing',
    ].join('\n'));
    expect(parsed.items).toEqual([]);
    expect(parsed.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 7, 8, 9]);
    expect(parsed.errors[0]!.message).toContain('$denyallow');
    expect(parsed.errors[1]!.message).toContain('$client');
    expect(parsed.errors[3]!.message).toContain('regex format');
    expect(parsed.errors[5]!.message).toContain('backtrack');
    expect(parsed.errors[6]!.message).toContain('not a valid domain name');
    expect(parsed.summary.skipped).toEqual([{ reason: SKIP_URL, count: 1, firstLine: 6 }]);
  });
});
