import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseListText } from '../../../firmware/rules/formats/parse.ts';
import { hashedEntryFor } from '../../../firmware/rules/formats/sha256-list.ts';
import { createNameScratch, HashedSet } from '../../../firmware/rules/hashed-set.ts';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function build(hexes: string[]): HashedSet {
  const set = HashedSet.fromHex(hexes);
  if (!(set instanceof HashedSet)) throw new Error(set.error);
  return set;
}

describe('sha256 lists', () => {
  it('hashes the normal form: lower case, punycode, no trailing dot', () => {
    expect(hashedEntryFor('Example.COM.')).toBe(sha('example.com'));
    expect(hashedEntryFor('bücher.example')).toBe(sha('xn--bcher-kva.example'));
    expect(hashedEntryFor('*.example.com')).toEqual({ error: expect.stringContaining('*.') });
    expect(hashedEntryFor('http://x/')).toEqual({ error: expect.stringContaining('URL') });
  });

  it('reads one digest a line, upper or lower case, and reports wrong lengths and junk without quoting', () => {
    const good = sha('example.com');
    const text = `# provider list\n${good}\n${sha('xn--bcher-kva.example').toUpperCase()}\n${good.slice(1)}\n${good}0\n${'z'.repeat(64)}\nexample.com\n`;
    const parsed = parseListText(text, 'sha256', { redact: true });
    expect(parsed.items).toEqual([
      { type: 'hash', sha256: good, line: 2 },
      { type: 'hash', sha256: sha('xn--bcher-kva.example'), line: 3 },
    ]);
    expect(parsed.errors).toEqual([
      { line: 4, message: 'expected a SHA-256 as 64 hex digits, found 63 characters' },
      { line: 5, message: 'expected a SHA-256 as 64 hex digits, found 65 characters' },
      { line: 6, message: 'expected a SHA-256 as 64 hex digits, found other characters' },
      { line: 7, message: 'expected a SHA-256 as 64 hex digits, found 11 characters' },
    ]);
  });
});

describe('hashed set', () => {
  it('finds a listed name and its subdomains, never its parents or neighbours', () => {
    const set = build([sha('bad.example'), sha('xn--bcher-kva.example'), sha('bad.example')]);
    expect(set.size).toBe(2);
    expect(set.duplicates).toBe(1);
    const scratch = createNameScratch();
    expect(set.matchName('bad.example', scratch)).toBe(true);
    expect(set.matchName('www.bad.example', scratch)).toBe(true);
    expect(set.matchName('a.b.xn--bcher-kva.example', scratch)).toBe(true);
    expect(set.matchName('example', scratch)).toBe(false);
    expect(set.matchName('notbad.example', scratch)).toBe(false);
    expect(set.matchName('bad.example.org', scratch)).toBe(false);
    expect(set.matchName('', scratch)).toBe(false);
    expect(set.matchName('bücher.example', scratch)).toBe(false);
  });

  it('agrees with a plain Set of hex digests, including shared 64-bit prefixes', () => {
    const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(fc.property(fc.array(digest, { maxLength: 40 }), fc.array(digest, { maxLength: 10 }), (listed, others) => {
      // Force collisions of the first 64 bits between some entries.
      const twins = listed.map((d) => Uint8Array.from([...d.subarray(0, 8), ...d.subarray(8).map((b) => b ^ 1)]));
      const hexes = [...listed, ...twins.slice(0, 5)].map((d) => Buffer.from(d).toString('hex'));
      const set = build(hexes);
      const reference = new Set(hexes);
      expect(set.size).toBe(reference.size);
      for (const probe of [...listed, ...twins, ...others]) {
        expect(set.has(probe)).toBe(reference.has(Buffer.from(probe).toString('hex')));
      }
    }));
  });

  it('refuses a malformed digest by position, without quoting it', () => {
    expect(HashedSet.fromHex([sha('a.example'), 'secret.example'])).toEqual({ error: 'not a SHA-256 in hex (64 digits)', index: 1 });
    expect(build([]).has(new Uint8Array(32))).toBe(false);
    expect(build([sha('a.example')]).has(new Uint8Array(31))).toBe(false);
  });
});
