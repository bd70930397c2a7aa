// One normal form for every listed name, whatever the list's format: lower-case ASCII (IDNs as
// punycode), no trailing dot, valid labels. The DNS reader produces the same form, so a listed
// name and an asked name compare as plain strings.
import { domainToASCII } from 'node:url';

export type NameMode = 'suffix' | 'exact' | 'subdomains';

export interface NormalisedName {
  name: string;
  mode: NameMode;
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * The check behind `normaliseListedName`, with reasons that never repeat the input: a restricted
 * list's parser reports these as they are, because its entries may not appear in any message.
 */
export function checkListedName(raw: string, mode: NameMode = 'suffix'): NormalisedName | { reason: string } {
  let text = raw.trim();
  if (text.length === 0) return { reason: 'empty name' };
  if (text.startsWith('*.')) {
    mode = 'subdomains';
    text = text.slice(2);
  }
  if (text.endsWith('.')) text = text.slice(0, -1);
  if (text.includes('/') || text.includes(':')) return { reason: 'looks like a URL or an address, not a domain name' };
  if (text.includes('*')) return { reason: 'has a wildcard, which is only allowed as a leading "*."' };
  // Non-ASCII names are IDNs: list authors write them as people read them.
  const ascii = /^[\x00-\x7f]*$/.test(text) ? text.toLowerCase() : domainToASCII(text);
  if (!ascii) return { reason: 'is not a valid internationalised domain name' };
  if (ascii.length > 253) return { reason: 'is longer than 253 characters' };
  const labels = ascii.split('.');
  for (const label of labels) {
    if (!LABEL.test(label)) {
      return { reason: label.length > 63 ? 'has a label longer than 63 characters' : 'is not a valid domain name' };
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return { reason: 'is an IP address, not a domain name' };
  return { name: ascii, mode };
}

/**
 * Normalises one listed name. `*.example.com` means the subdomains only. Returns an error
 * message, quoting the input, for anything that is not a domain name (a URL, an address, a pattern).
 */
export function normaliseListedName(raw: string, mode: NameMode = 'suffix'): NormalisedName | { error: string } {
  const result = checkListedName(raw, mode);
  if ('name' in result) return result;
  return { error: result.reason === 'empty name' ? result.reason : `"${raw}" ${result.reason}` };
}
