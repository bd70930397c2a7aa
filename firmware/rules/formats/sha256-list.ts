// The 'sha256' format, for restricted lists a provider supplies hashed: one SHA-256 a line, in
// hex, of the name's normal form — exactly the UTF-8 bytes of the string `normaliseListedName`
// returns: lower-case ASCII, IDN labels in punycode (xn--…), no trailing dot, no "*." (for
// example "example.com", never "Example.COM." or "bücher.example"). An entry covers the name and
// all its subdomains. `#` starts a comment line.
import { createHash } from 'node:crypto';
import { checkListedName } from './domain-name.ts';
import { perLine } from './list-item.ts';

const HEX64 = /^[0-9a-f]{64}$/i;

export const sha256Format = perLine((text, line, out) => {
  const body = text.trim();
  if (!body || body.startsWith('#')) return;
  if (body.length !== 64) {
    out.error(line, `expected a SHA-256 as 64 hex digits, found ${body.length} characters`);
    return;
  }
  if (!HEX64.test(body)) {
    out.error(line, 'expected a SHA-256 as 64 hex digits, found other characters');
    return;
  }
  out.item({ type: 'hash', sha256: body.toLowerCase(), line });
});

/** The line a provider writes for `name` (for tools and tests): its normal form, hashed. */
export function hashedEntryFor(name: string): string | { error: string } {
  const normal = checkListedName(name);
  if ('reason' in normal) return { error: normal.reason };
  if (normal.mode !== 'suffix') return { error: 'a hashed entry covers a name with its subdomains; leave out "*."' };
  return createHash('sha256').update(normal.name).digest('hex');
}
