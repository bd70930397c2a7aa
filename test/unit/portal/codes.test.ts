// Voucher codes: enough entropy, a readable alphabet, and a check character that catches every
// single wrong character and every swap of two neighbours (proven exhaustively over mistakes on
// random codes, not a sample of them).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CODE_ALPHABET, CODE_DATA_LENGTH, codeEntropyBits, generateCode, parseCode } from '../../../firmware/portal/vouchers/codes.ts';

const compact = (code: string): string => code.replaceAll('-', '');

describe('voucher codes', () => {
  test('entropy from the alphabet and length: at least 50 bits', () => {
    expect(CODE_ALPHABET).toHaveLength(23);
    expect(codeEntropyBits()).toBeCloseTo(CODE_DATA_LENGTH * Math.log2(23), 10);
    expect(codeEntropyBits()).toBeGreaterThanOrEqual(50);
    // One random character fewer would fall short of 50: the length is not padded for show.
    expect(codeEntropyBits(23, 11)).toBeLessThan(50);
  });

  test('the alphabet has no look-alikes and no duplicates', () => {
    for (const risky of '0O1ILQS5ZBGUV') expect(CODE_ALPHABET, risky).not.toContain(risky);
    expect(new Set(CODE_ALPHABET).size).toBe(CODE_ALPHABET.length);
    expect(CODE_ALPHABET).toMatch(/^[0-9A-Z]+$/);
  });

  test('a code is three groups of five from the alphabet, and parses back', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateCode();
      expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{5}-[${CODE_ALPHABET}]{5}-[${CODE_ALPHABET}]{5}$`));
      expect(parseCode(code)).toEqual({ ok: true, code: compact(code) });
    }
  });

  test('uses every value of the random source: the first and last characters of the alphabet both appear', () => {
    expect(generateCode(() => 0).startsWith(CODE_ALPHABET[0]!.repeat(5))).toBe(true);
    expect(generateCode(() => 22).startsWith(CODE_ALPHABET[22]!.repeat(5))).toBe(true);
  });

  test('entry ignores case, spaces and dashes', () => {
    const code = generateCode();
    const typed = ` ${compact(code).toLowerCase().slice(0, 7)} ${compact(code).toLowerCase().slice(7)} `;
    expect(parseCode(typed)).toEqual({ ok: true, code: compact(code) });
    expect(parseCode(code.replaceAll('-', '.'))).toEqual({ ok: true, code: compact(code) });
  });

  test('wrong length and foreign characters are typos', () => {
    const code = compact(generateCode());
    expect(parseCode(code.slice(1))).toEqual({ ok: false, reason: 'length' });
    expect(parseCode(`${code}A`)).toEqual({ ok: false, reason: 'length' });
    expect(parseCode(`0${code.slice(1)}`)).toEqual({ ok: false, reason: 'character' });
  });

  const codes = fc.array(fc.integer({ min: 0, max: 22 }), { minLength: CODE_DATA_LENGTH, maxLength: CODE_DATA_LENGTH })
    .map((values) => { let i = 0; return compact(generateCode(() => values[i++]!)); });

  test('property: every single substitution, at every position, is caught', () => {
    fc.assert(fc.property(codes, (code) => {
      for (let pos = 0; pos < code.length; pos++) {
        for (const ch of CODE_ALPHABET) {
          if (ch === code[pos]) continue;
          const wrong = code.slice(0, pos) + ch + code.slice(pos + 1);
          if (parseCode(wrong).ok) return false;
        }
      }
      return true;
    }), { numRuns: 300 });
  });

  test('property: every swap of two different neighbours is caught', () => {
    fc.assert(fc.property(codes, (code) => {
      for (let pos = 0; pos + 1 < code.length; pos++) {
        if (code[pos] === code[pos + 1]) continue;
        const swapped = code.slice(0, pos) + code[pos + 1] + code[pos] + code.slice(pos + 2);
        if (parseCode(swapped).ok) return false;
      }
      return true;
    }), { numRuns: 300 });
  });
});
