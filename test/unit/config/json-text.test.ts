import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineAndColumn, locateSyntaxError, parseJsonText } from '../../../firmware/config/json-text.ts';

describe('parseJsonText', () => {
  it('parses valid JSON, with or without a byte-order mark', () => {
    expect(parseJsonText('{"a": [1, 2.5e3, true, null, "x\\u00e9"]}')).toEqual({ ok: true, value: { a: [1, 2500, true, null, 'x\u00e9'] } });
    expect(parseJsonText('\uFEFF{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  const cases: [string, string, number, number, RegExp][] = [
    ['missing value', '{\n  "a": 1,\n  "b": }', 3, 8, /expected a value/],
    ['unclosed object', '{\n  "a": 1\n', 3, 1, /"}" is missing/],
    ['trailing comma', '{\n  "a": [1, 2,]\n}', 2, 13, /trailing comma/],
    ['single quotes', "{\n  'a': 1\n}", 2, 3, /double quotes/],
    ['missing colon', '{\n  "a" 1\n}', 2, 7, /expected ":"/],
    ['missing comma', '{\n  "a": 1\n  "b": 2\n}', 3, 3, /expected "," or "}"/],
    ['bare word', '{"a": yes}', 1, 7, /expected a value/],
    ['raw newline in a string', '{"a": "two\nlines"}', 1, 11, /control character/],
    ['bad escape', '{"a": "c:\\windows"}', 1, 10, /bad escape/],
    ['text after the document', '{"a": 1}\n}', 2, 1, /after the end of the document/],
    ['empty file', '  \n', 1, 1, /empty/],
    ['comment', '{\n  // staff\n  "a": 1\n}', 2, 3, /property name/],
    ['position after a byte-order mark', '\uFEFF{"a" 1}', 1, 7, /expected ":"/],
  ];

  it.each(cases)('reports %s with line and column', (_name, text, line, column, reason) => {
    const result = parseJsonText(text);
    expect(result).toMatchObject({ ok: false, line, column });
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('survives pathological nesting', () => {
    expect(parseJsonText('['.repeat(200_000)).ok).toBe(false);
    expect(locateSyntaxError('['.repeat(200_000))?.reason).toMatch(/end of file/);
  });
});

describe('locateSyntaxError agrees with JSON.parse', () => {
  const accepts = (text: string): boolean => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };

  it('finds nothing wrong in any serialised JSON value', () => {
    fc.assert(fc.property(fc.json(), fc.boolean(), (text, pretty) => {
      const t = pretty ? JSON.stringify(JSON.parse(text), null, 2) : text;
      expect(locateSyntaxError(t)).toBeUndefined();
    }), { numRuns: 500 });
  });

  it('faults exactly the texts JSON.parse rejects, at an offset inside the text', () => {
    // Damage a valid document: delete, insert or replace one character.
    const damaged = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('del', 'ins', 'rep'), fc.constantFrom(...'{}[],:"\\ \n0-.eEtfnx\u0001\''.split('')))
      .map(([text, at, op, ch]) => {
        const i = text.length === 0 ? 0 : at % text.length;
        if (op === 'del') return text.slice(0, i) + text.slice(i + 1);
        if (op === 'ins') return text.slice(0, i) + ch + text.slice(i);
        return text.slice(0, i) + ch + text.slice(i + 1);
      });
    fc.assert(fc.property(damaged, (text) => {
      const fault = locateSyntaxError(text);
      expect(fault === undefined).toBe(accepts(text));
      if (fault) expect(fault.offset).toBeLessThanOrEqual(text.length);
    }), { numRuns: 2000 });
  });
});

describe('lineAndColumn', () => {
  it('counts from 1 and restarts columns after each newline', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
