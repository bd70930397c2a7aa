// List parsers: text in, names with their line numbers out, and every problem with its line.
// Pure and line-at-a-time, so a 1M-line file is parsed without holding more than one line.
import type { ListFormat } from '../../config/schema.ts';
import { normaliseListedName, type NameMode } from './domain-name.ts';

export interface ListedName {
  name: string;
  mode: NameMode;
  line: number;
}

export interface LineError {
  line: number;
  message: string;
}

export type LineParser = (text: string, line: number, emit: (name: ListedName) => void, fail: (error: LineError) => void) => void;

function stripComment(text: string): string {
  const hash = text.indexOf('#');
  return (hash >= 0 ? text.slice(0, hash) : text).trim();
}

/** One domain per line; `*.example.com` for subdomains only; `#` comments. */
const parseDomainsLine: LineParser = (text, line, emit, fail) => {
  const body = stripComment(text);
  if (!body) return;
  if (/\s/.test(body)) {
    fail({ line, message: `expected one domain per line, found "${body}" (is this a hosts file?)` });
    return;
  }
  const result = normaliseListedName(body);
  if ('error' in result) fail({ line, message: result.error });
  else emit({ ...result, line });
};

// Hosts files list the machine's own names too; blocking those would break the gateway.
const HOSTS_SELF_NAMES = new Set([
  'localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback',
  'ip6-localnet', 'ip6-mcastprefix', 'ip6-allnodes', 'ip6-allrouters', 'ip6-allhosts', '0.0.0.0',
]);

/** `0.0.0.0 name [name…]` (any address); each name is blocked with its subdomains. */
const parseHostsLine: LineParser = (text, line, emit, fail) => {
  const body = stripComment(text);
  if (!body) return;
  const fields = body.split(/\s+/);
  if (fields.length < 2) {
    fail({ line, message: `expected "ADDRESS NAME", found "${body}"` });
    return;
  }
  for (const field of fields.slice(1)) {
    if (HOSTS_SELF_NAMES.has(field.toLowerCase())) continue;
    const result = normaliseListedName(field);
    if ('error' in result) fail({ line, message: result.error });
    else emit({ ...result, line });
  }
};

export const LINE_PARSERS: Record<ListFormat, LineParser> = {
  domains: parseDomainsLine,
  hosts: parseHostsLine,
};

export interface ParsedList {
  names: ListedName[];
  errors: LineError[];
  lines: number;
}

/** Parses a whole text; for files, stream lines into LINE_PARSERS instead. */
export function parseListText(text: string, format: ListFormat): ParsedList {
  const parser = LINE_PARSERS[format];
  const names: ListedName[] = [];
  const errors: LineError[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((content, i) => parser(content, i + 1, (n) => names.push(n), (e) => errors.push(e)));
  return { names, errors, lines: lines.length };
}
