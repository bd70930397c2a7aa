// The 'adblock' format as DNS filters read it (AdGuard DNS / hostlist style): `||name^` blocks a
// name and its subdomains, `@@||name^` is an exception, `/…/` is a regular expression. Browser
// rules (element hiding, URLs, content-type options) are valid in such lists but mean nothing to
// a DNS filter, so they are skipped and counted, not reported as errors.
import { emitName, isNormalDomainBytes, parseHostsBody, stripHashComment, type PlainNameLine } from './plain.ts';
import { emitRegex } from './regex-list.ts';
import { perLine, type LineOut, type ListAction } from './list-item.ts';

export const SKIP_COSMETIC = 'cosmetic (element hiding or scriptlet) rule: not applicable to DNS';
export const SKIP_URL = 'URL or path rule: not applicable to DNS';
export const SKIP_BROWSER_OPTIONS = 'rule with browser-only $options: not applicable to DNS';
export const SKIP_BADFILTER = 'rule with $badfilter (disabling another rule): not supported';

// ##, #@#, #?#, #$#, #%#, #@$?# … and the HTML filters $$ / $@$.
const COSMETIC = /#@?[?$%]{0,2}#|\$@?\$/;
const IP_FIELD = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

// Options that are harmless at DNS level: a DNS filter blocks the whole name anyway.
const IGNORED_OPTIONS = new Set(['important', 'third-party', '3p', 'all', 'document', 'doc']);
// Options that change which names, clients or answers a DNS rule covers; dropping them silently
// would block more or less than the list author meant.
const DNS_OPTIONS = new Set(['denyallow', 'client', 'ctag', 'dnstype', 'dnsrewrite']);

/** Splits `rule$options`; a `$` inside a `/regex/` is the regex's end anchor, not options. */
function splitOptions(rule: string): { body: string; options: string[] } {
  let dollar: number;
  if (rule.startsWith('/')) {
    const close = rule.lastIndexOf('/');
    dollar = close > 0 && rule[close + 1] === '$' ? close + 1 : -1;
  } else {
    dollar = rule.lastIndexOf('$');
  }
  if (dollar < 0) return { body: rule, options: [] };
  return { body: rule.slice(0, dollar), options: rule.slice(dollar + 1).split(',').map((o) => o.trim().toLowerCase()) };
}

/** Returns true when the options leave the rule usable; otherwise it has been reported. */
function checkOptions(options: readonly string[], line: number, out: LineOut): boolean {
  for (const option of options) {
    const name = option.replace(/^~/, '').split('=')[0]!;
    if (DNS_OPTIONS.has(name)) {
      out.error(line, `option $${name} changes what the rule covers for DNS and is not supported; rewrite the rule without it`);
      return false;
    }
  }
  for (const option of options) {
    const name = option.replace(/^~/, '').split('=')[0]!;
    if (name === 'badfilter') {
      out.skip(line, SKIP_BADFILTER);
      return false;
    }
    if (!IGNORED_OPTIONS.has(name) || option.startsWith('~')) {
      out.skip(line, SKIP_BROWSER_OPTIONS);
      return false;
    }
  }
  return true;
}

function parseHostPart(host: string, line: number, out: LineOut, action: ListAction, mode: 'suffix' | 'exact'): void {
  if (/[/?:=&]/.test(host) || host.includes('^')) {
    out.skip(line, SKIP_URL);
    return;
  }
  if (host.replace(/^\*\./, '').includes('*') || host.includes('|')) {
    out.error(line, `${out.quote(host)}: wildcard patterns other than "||*.name^" are not supported (use the regex format)`);
    return;
  }
  emitName(host, line, out, action, mode);
}

function parseAdblockLine(text: string, line: number, out: LineOut): void {
  const rule = text.trim();
  if (!rule || rule.startsWith('!') || (rule.startsWith('[') && rule.endsWith(']'))) return;
  if (COSMETIC.test(rule)) {
    out.skip(line, SKIP_COSMETIC);
    return;
  }
  if (rule.startsWith('#')) return;
  const fields = rule.split(/\s+/);
  if (fields.length > 1 && IP_FIELD.test(fields[0]!)) {
    parseHostsBody(stripHashComment(rule), line, out);
    return;
  }
  const exception = rule.startsWith('@@');
  const action: ListAction = exception ? 'allow' : 'block';
  const { body, options } = splitOptions(exception ? rule.slice(2) : rule);
  if (!checkOptions(options, line, out)) return;
  if (/\s/.test(body)) {
    out.error(line, `expected one rule per line, found ${out.quote(body)}`);
    return;
  }
  if (body.length > 2 && body.startsWith('/') && body.endsWith('/')) {
    emitRegex(body.slice(1, -1), line, out, action);
    return;
  }
  if (body.startsWith('||')) {
    parseHostPart(body.slice(2).replace(/\^?\|?$/, ''), line, out, action, 'suffix');
  } else if (body.startsWith('|')) {
    // `|name^` anchors at the start of the address: the name itself, no subdomains.
    if (/^\|[a-z][a-z0-9+.-]*:/i.test(body)) out.skip(line, SKIP_URL);
    else parseHostPart(body.slice(1).replace(/\^?\|?$/, ''), line, out, action, 'exact');
  } else {
    parseHostPart(body.replace(/\^\|?$/, ''), line, out, action, 'suffix');
  }
}

export const adblockFormat = perLine(parseAdblockLine);

const PIPE = 0x7c;
const CARET = 0x5e;

/** `||name^` with the name in normal form and nothing else: the line most of a DNS adblock list is. */
export const plainAdblockLine: PlainNameLine = (bytes, start, end, span) => {
  if (end - start < 4 || bytes[start] !== PIPE || bytes[start + 1] !== PIPE || bytes[end - 1] !== CARET) return false;
  if (!isNormalDomainBytes(bytes, start + 2, end - 1)) return false;
  span.start = start + 2;
  span.end = end - 1;
  return true;
};
