import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseListedName } from '../../../firmware/rules/formats/domain-name.ts';
import { parseListText } from '../../../firmware/rules/formats/parse.ts';

describe('listed names', () => {
  it('normalises case, trailing dots, wildcards and IDNs', () => {
    expect(normaliseListedName('WWW.Example.COM.')).toEqual({ name: 'www.example.com', mode: 'suffix' });
    expect(normaliseListedName('*.ads.example.com')).toEqual({ name: 'ads.example.com', mode: 'subdomains' });
    expect(normaliseListedName('bücher.example')).toEqual({ name: 'xn--bcher-kva.example', mode: 'suffix' });
    expect(normaliseListedName('_dmarc.example.com')).toEqual({ name: '_dmarc.example.com', mode: 'suffix' });
  });

  it('refuses what is not a domain name, saying why', () => {
    expect(normaliseListedName('https://example.com/page')).toEqual({ error: expect.stringContaining('URL') });
    expect(normaliseListedName('10.0.0.1')).toEqual({ error: expect.stringContaining('IP address') });
    expect(normaliseListedName('ex*ample.com')).toEqual({ error: expect.stringContaining('wildcard') });
    expect(normaliseListedName(`${'a'.repeat(64)}.com`)).toEqual({ error: expect.stringContaining('longer than 63') });
    expect(normaliseListedName(`${'abcdefghi.'.repeat(26)}com`)).toEqual({ error: expect.stringContaining('253') });
    expect(normaliseListedName('-bad-.com')).toEqual({ error: expect.stringContaining('not a valid') });
    expect(normaliseListedName('')).toEqual({ error: 'empty name' });
  });

  it('never throws, whatever the input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => {
      const result = normaliseListedName(text);
      if ('name' in result) expect(result.name).toMatch(/^[a-z0-9_.-]+$/);
    }));
  });
});

describe('list formats', () => {
  it('reads plain domain lists with comments and reports bad lines by number', () => {
    const parsed = parseListText('# social networks\nfacebook.com\n\n  instagram.com  # photos\nhttp://bad.example/\n*.tiktokcdn.com\n', 'domains');
    expect(parsed.names).toEqual([
      { name: 'facebook.com', mode: 'suffix', line: 2 },
      { name: 'instagram.com', mode: 'suffix', line: 4 },
      { name: 'tiktokcdn.com', mode: 'subdomains', line: 6 },
    ]);
    expect(parsed.errors).toEqual([{ line: 5, message: expect.stringContaining('URL') }]);
  });

  it('spots a hosts file given as a domain list', () => {
    expect(parseListText('0.0.0.0 ads.example.com\n', 'domains').errors[0]?.message).toContain('hosts file');
  });

  it('reads hosts files, skipping the machine\'s own names', () => {
    const parsed = parseListText('127.0.0.1 localhost\n::1 ip6-localhost ip6-loopback\n0.0.0.0 ads.example.com tracker.example.net # two\r\n0.0.0.0\n', 'hosts');
    expect(parsed.names.map((n) => `${n.name}@${n.line}`)).toEqual(['ads.example.com@3', 'tracker.example.net@3']);
    expect(parsed.errors).toEqual([{ line: 4, message: expect.stringContaining('ADDRESS NAME') }]);
  });
});

describe('compiling lists', () => {
  it('folds repeated names, within a list and across lists, and counts them per list', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { compileLists } = await import('../../../firmware/rules/load-lists.ts');
    const { defaultConfig } = await import('../../../firmware/config/defaults.ts');
    const dir = await mkdtemp(join(tmpdir(), 'schoolgate-fold-'));
    try {
      await writeFile(join(dir, 'a.txt'), 'one.example\ntwo.example\nONE.example.\n');
      await writeFile(join(dir, 'b.txt'), 'two.example\nthree.example\n');
      const config = defaultConfig();
      config.lists = [
        { id: 'a', name: 'A', category: 'social', file: 'a.txt', format: 'domains', enabled: true },
        { id: 'b', name: 'B', category: 'gaming', file: 'b.txt', format: 'domains', enabled: true },
      ];
      const compiled = await compileLists(config, { listsDir: dir, seed: 7 });
      expect(compiled.matcher.size).toBe(3);
      expect(compiled.statuses.map((s) => [s.id, s.entries, s.duplicates])).toEqual([['a', 3, 1], ['b', 2, 1]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
