// The 'domains' parser's fast path must give exactly what the full normalisation gives.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { normaliseListedName } from '../../../firmware/rules/formats/domain-name.ts';
import { normalDomainLine, parseListText } from '../../../firmware/rules/formats/parse.ts';

const alphabet = fc.constantFrom(...'abcxyz0189-_.', 'A', '*', ' ', '#', '\r', '\t', '/', ':', 'ü');
const lines = fc.oneof(
  fc.string({ unit: alphabet, maxLength: 80 }),
  fc.array(fc.string({ unit: fc.constantFrom(...'az09-_'), minLength: 1, maxLength: 70 }), { minLength: 1, maxLength: 6 }).map((labels) => labels.join('.')),
);

it('accepts only lines the full path leaves unchanged, as the same name', () => {
  fc.assert(fc.property(lines, (line) => {
    const fast = normalDomainLine(line);
    if (fast === undefined) return;
    expect(fast).toBe(line);
    expect(normaliseListedName(line)).toEqual({ name: line, mode: 'suffix' });
  }), { numRuns: 5000 });
});

it('parses a list the same as one name at a time through normaliseListedName', () => {
  fc.assert(fc.property(fc.array(lines, { maxLength: 20 }), (all) => {
    const parsed = parseListText(all.join('\n'), 'domains');
    const expected: unknown[] = [];
    all.forEach((text, i) => {
      const hash = text.indexOf('#');
      const body = (hash >= 0 ? text.slice(0, hash) : text).trim();
      if (!body || /\s/.test(body)) return;
      const result = normaliseListedName(body);
      if ('name' in result) expected.push({ ...result, line: i + 1 });
    });
    expect(parsed.names).toEqual(expected);
  }), { numRuns: 500 });
});

it('takes the common forms and leaves the rest to the full path', () => {
  expect(normalDomainLine('ads.example.com')).toBe('ads.example.com');
  expect(normalDomainLine('_dmarc.x-y.example')).toBe('_dmarc.x-y.example');
  for (const line of ['', 'Ads.example.com', 'example.com.', '*.example.com', 'a..b', '-a.com', 'a-.com', 'example.com # c', 'example.com\r', '10.0.0.1', `${'a'.repeat(64)}.com`, 'bücher.example']) {
    expect(normalDomainLine(line), JSON.stringify(line)).toBeUndefined();
  }
});
