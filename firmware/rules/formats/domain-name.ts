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
 * Normalises one listed name. `*.example.com` means the subdomains only. Returns an error
 * message for anything that is not a domain name (a URL, an address, a pattern).
 */
export function normaliseListedName(raw: string, mode: NameMode = 'suffix'): NormalisedName | { error: string } {
  let text = raw.trim();
  if (text.length === 0) return { error: 'empty name' };
  if (text.startsWith('*.')) {
    mode = 'subdomains';
    text = text.slice(2);
  }
  if (text.endsWith('.')) text = text.slice(0, -1);
  if (text.includes('/') || text.includes(':')) return { error: `"${raw}" looks like a URL or an address, not a domain name` };
  if (text.includes('*')) return { error: `"${raw}": a wildcard is only allowed as a leading "*."` };
  // Non-ASCII names are IDNs: list authors write them as people read them.
  const ascii = /^[\x00-\x7f]*$/.test(text) ? text.toLowerCase() : domainToASCII(text);
  if (!ascii) return { error: `"${raw}" is not a valid internationalised domain name` };
  if (ascii.length > 253) return { error: `"${raw}" is longer than 253 characters` };
  const labels = ascii.split('.');
  for (const label of labels) {
    if (!LABEL.test(label)) {
      return { error: label.length > 63 ? `"${raw}" has a label longer than 63 characters` : `"${raw}" is not a valid domain name` };
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return { error: `"${raw}" is an IP address, not a domain name` };
  return { name: ascii, mode };
}
