// The two oldest formats: one domain a line, and hosts files.
import { checkListedName } from './domain-name.ts';
import { perLine, type LineOut } from './list-item.ts';

export function stripHashComment(text: string): string {
  const hash = text.indexOf('#');
  return (hash >= 0 ? text.slice(0, hash) : text).trim();
}

/** Normalises `raw` and emits it as a block entry, or reports why it is not a name. */
export function emitName(raw: string, line: number, out: LineOut, action: 'block' | 'allow' = 'block', mode: 'suffix' | 'exact' = 'suffix'): void {
  const result = checkListedName(raw, mode);
  if ('reason' in result) out.error(line, result.reason === 'empty name' ? 'empty name' : `${out.quote(raw)} ${result.reason}`);
  else out.item({ type: 'name', name: result.name, mode: result.mode, action, line });
}

/**
 * Whether `src[start, end)` (a line as text, or as the file's bytes) is a name in normal form:
 * lower case, valid labels, no comment, no spaces. Most lines of most lists are, and this check
 * is much cheaper than the full normalisation, which gives the same name for them.
 */
function isNormalDomain(src: string | Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  if (length <= 0 || length > 253) return false;
  const text = typeof src === 'string';
  let labelLength = 0;
  let first = 0;
  let previous = 0;
  let allDigits = true;
  for (let i = start; i <= end; i++) {
    const c = i === end ? 0x2e : text ? (src as string).charCodeAt(i) : (src as Uint8Array)[i]!;
    if (c === 0x2e) {
      if (labelLength === 0 || labelLength > 63 || first === 0x2d || previous === 0x2d) return false;
      if (i === end && allDigits) return false;
      labelLength = 0;
      allDigits = true;
    } else {
      if (c >= 0x30 && c <= 0x39) {
        // digits keep allDigits as it is
      } else if ((c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f) {
        allDigits = false;
      } else {
        return false;
      }
      if (labelLength === 0) first = c;
      labelLength++;
    }
    previous = c;
  }
  return true;
}

/** The line itself when it is already a name in normal form (isNormalDomain), else undefined. */
export function normalDomainLine(text: string): string | undefined {
  return isNormalDomain(text, 0, text.length) ? text : undefined;
}

/**
 * normalDomainLine for a line held as bytes `bytes[start, end)`. The compiler then hashes the
 * bytes without making the line a string (plain lists are almost all such lines).
 */
export function isNormalDomainBytes(bytes: Uint8Array, start: number, end: number): boolean {
  return isNormalDomain(bytes, start, end);
}

/** One domain per line; `*.example.com` for subdomains only; `#` comments. */
export const domainsFormat = perLine((text, line, out) => {
  const fast = normalDomainLine(text);
  if (fast !== undefined) {
    out.item({ type: 'name', name: fast, mode: 'suffix', action: 'block', line });
    return;
  }
  const body = stripHashComment(text);
  if (!body) return;
  if (/\s/.test(body)) {
    out.error(line, `expected one domain per line, found ${out.quote(body)} (is this a hosts file?)`);
    return;
  }
  emitName(body, line, out);
});

// Hosts files list the machine's own names too; blocking those would break the gateway.
const HOSTS_SELF_NAMES = new Set([
  'localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback',
  'ip6-localnet', 'ip6-mcastprefix', 'ip6-allnodes', 'ip6-allrouters', 'ip6-allhosts', '0.0.0.0',
]);

/** The body of a hosts line (comment already stripped): `ADDRESS NAME [NAME…]`. */
export function parseHostsBody(body: string, line: number, out: LineOut): void {
  const fields = body.split(/\s+/);
  if (fields.length < 2) {
    out.error(line, `expected "ADDRESS NAME", found ${out.quote(body)}`);
    return;
  }
  for (const field of fields.slice(1)) {
    if (HOSTS_SELF_NAMES.has(field.toLowerCase())) continue;
    emitName(field, line, out);
  }
}

const LONGEST_SELF_NAME = Math.max(...[...HOSTS_SELF_NAMES].map((n) => n.length));

/** Where a line's one plain name is, in its bytes: set by a PlainNameLine that says true. */
export interface NameSpan {
  start: number;
  end: number;
}

/**
 * True when the line `bytes[start, end)` is, in its format, exactly one name in normal form
 * blocked with its subdomains (what the text parser would make of it, with no string made);
 * `span` then says where the name is. False leaves the line to the text parser.
 */
export type PlainNameLine = (bytes: Uint8Array, start: number, end: number, span: NameSpan) => boolean;

/** A domains line that normalDomainLine takes as it is. */
export const plainDomainsLine: PlainNameLine = (bytes, start, end, span) => {
  if (!isNormalDomainBytes(bytes, start, end)) return false;
  span.start = start;
  span.end = end;
  return true;
};

/**
 * The common hosts line, `ADDRESS NAME` with one name in normal form, no comment and no
 * surrounding space, which hostsFormat reads as that one name blocked.
 */
export const plainHostsLine: PlainNameLine = (bytes, start, end, span) => {
  let i = start;
  // The address: hostsFormat accepts any first field, so only its end matters (and no '#').
  while (i < end) {
    const c = bytes[i]!;
    if (c === 0x20 || c === 0x09) break;
    if (c === 0x23 || c <= 0x20 || c >= 0x7f) return false;
    i++;
  }
  if (i === start || i === end) return false;
  while (i < end && (bytes[i] === 0x20 || bytes[i] === 0x09)) i++;
  if (!isNormalDomainBytes(bytes, i, end)) return false;
  // The machine's own names are skipped by the text reader; leave them to it.
  if (end - i <= LONGEST_SELF_NAME && HOSTS_SELF_NAMES.has(String.fromCharCode(...bytes.subarray(i, end)))) return false;
  span.start = i;
  span.end = end;
  return true;
};

/** `0.0.0.0 name [name…]` (any address); each name is blocked with its subdomains. */
export const hostsFormat = perLine((text, line, out) => {
  const body = stripHashComment(text);
  if (body) parseHostsBody(body, line, out);
});
