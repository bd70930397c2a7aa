// Voucher codes: what the office hands a visitor on a slip of paper and the visitor types on a
// phone. Pure: the randomness is passed in (crypto.randomInt by default), so tests can drive it.
//
// The alphabet keeps at most one of each group a tired reader mixes up: 0, O and Q go, 1, I and
// L go, 5 and S go, U and V go, and 2, 6 and 8 stay while Z, G and B go: 23 characters. 23 is prime, which is what makes the
// check character work: with weights 1..15 (all non-zero and distinct mod 23) a single wrong
// character changes the weighted sum by w·(a−b) and two swapped neighbours by (a−b), neither of
// which is 0 mod 23 for a ≠ b, so every such mistake is caught before a lookup is spent on it.
import { randomInt } from 'node:crypto';

export const CODE_ALPHABET = '234679ACDEFHJKMNPRTWXY8'.split('').sort().join('');
const BASE = CODE_ALPHABET.length;
/** Random characters in a code; the check character comes after them. */
export const CODE_DATA_LENGTH = 14;
/** Printed as three groups of five. */
const GROUP = 5;

/** Bits of entropy of a code: its random characters only (the check character adds none). */
export function codeEntropyBits(alphabetSize = BASE, length = CODE_DATA_LENGTH): number {
  return length * Math.log2(alphabetSize);
}

function valueOf(ch: string): number {
  return CODE_ALPHABET.indexOf(ch);
}

/** The check character for the random characters `data` (values 0..BASE-1). */
export function checkValue(data: readonly number[]): number {
  let sum = 0;
  data.forEach((v, i) => { sum += (i + 1) * v; });
  // Solve sum + w·c ≡ 0 (mod BASE) for c, with w the check position's weight.
  const w = data.length + 1;
  const inverse = modInverse(w % BASE, BASE);
  return (((BASE - (sum % BASE)) % BASE) * inverse) % BASE;
}

function modInverse(a: number, m: number): number {
  for (let x = 1; x < m; x++) if ((a * x) % m === 1) return x;
  throw new Error(`${a} has no inverse mod ${m}`);
}

/** True when the weighted sum of every character, check included, is 0 mod BASE. */
function checks(values: readonly number[]): boolean {
  let sum = 0;
  values.forEach((v, i) => { sum += (i + 1) * v; });
  return sum % BASE === 0;
}

/** Dashes every five characters: "AC3KM-9TXWP-4HJ7R". */
export function formatCode(compact: string): string {
  const groups: string[] = [];
  for (let i = 0; i < compact.length; i += GROUP) groups.push(compact.slice(i, i + GROUP));
  return groups.join('-');
}

/** A new code, printed form. `pick(n)` returns an integer in [0, n) from a CSPRNG. */
export function generateCode(pick: (n: number) => number = (n) => randomInt(n)): string {
  const data = Array.from({ length: CODE_DATA_LENGTH }, () => pick(BASE));
  const all = [...data, checkValue(data)];
  return formatCode(all.map((v) => CODE_ALPHABET[v]).join(''));
}

export type ParsedCode = { ok: true; code: string } | { ok: false; reason: 'length' | 'character' | 'check' };

/**
 * What the visitor typed, as the compact code it stands for: case and spaces, dashes and dots
 * between groups are ignored. A code of the wrong length, with a character outside the alphabet,
 * or whose check character does not match is a typo; telling the visitor so leaks nothing,
 * since anyone can compute the check character.
 */
export function parseCode(typed: string): ParsedCode {
  const compact = typed.toUpperCase().replace(/[\s\-_.]/g, '');
  if (compact.length !== CODE_DATA_LENGTH + 1) return { ok: false, reason: 'length' };
  const values = [...compact].map(valueOf);
  if (values.some((v) => v < 0)) return { ok: false, reason: 'character' };
  if (!checks(values)) return { ok: false, reason: 'check' };
  return { ok: true, code: compact };
}
