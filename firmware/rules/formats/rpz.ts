// The 'rpz' format: a Response Policy Zone as a master file (RFC 1035 §5 syntax, the policy
// encoding of draft-vixie-dnsop-dns-rpz). Only QNAME triggers with the NXDOMAIN, NODATA, DROP and
// PASSTHRU actions are used; other triggers and local data are valid RPZ that the matcher
// cannot express yet, so they are skipped and counted.
import { emitName } from './plain.ts';
import type { FormatParser, LineOut } from './list-item.ts';

export const SKIP_LOCAL_DATA = 'RPZ local data (a rewrite to records or to another name): not supported yet';
export const SKIP_TCP_ONLY = 'RPZ rpz-tcp-only action: not supported';
export const SKIP_APEX = 'record at the zone apex other than SOA or NS: ignored';
const TRIGGER_KINDS = ['rpz-ip', 'rpz-nsdname', 'rpz-nsip', 'rpz-client-ip'];
export const skipTrigger = (kind: string): string => `RPZ ${kind} trigger: not supported`;

// An SOA spans a handful of lines; a parenthesis still open after this many is a mistake, and
// must not swallow the rest of the file.
const MAX_RECORD_LINES = 64;
const TTL = /^(\d+|(\d+[smhdw])+)$/i;
const TYPE = /^([A-Z][A-Z0-9-]*|TYPE\d+)$/;

interface Tokens {
  tokens: string[];
  depth: number;
  error?: string;
}

/** Splits one line into tokens, following quotes, escapes, `;` comments and parentheses. */
function tokenise(text: string, depth: number): Tokens {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  const flush = (): void => {
    if (inToken) tokens.push(current);
    current = '';
    inToken = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
      inToken = true;
    } else if (quoted) {
      if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') {
      quoted = true;
      inToken = true;
    } else if (c === ';') {
      break;
    } else if (c === '(' || c === ')') {
      flush();
      depth += c === '(' ? 1 : -1;
      if (depth < 0) return { tokens, depth: 0, error: 'has a ")" without a matching "("' };
    } else if (c === ' ' || c === '\t') {
      flush();
    } else {
      current += c;
      inToken = true;
    }
  }
  if (quoted) return { tokens, depth, error: 'has an unterminated quoted string' };
  flush();
  return { tokens, depth };
}

function absoluteName(token: string, origin: string): string {
  if (token === '@') return origin;
  const lower = token.toLowerCase();
  if (lower.endsWith('.')) return lower.slice(0, -1);
  return origin ? `${lower}.${origin}` : lower;
}

export function rpzFormat(out: LineOut): FormatParser {
  let origin = '';
  let originFixed = false;
  let lastOwner: string | undefined;
  let pending: { tokens: string[]; line: number; lines: number; blankOwner: boolean; depth: number } | undefined;

  function directive(tokens: string[], line: number): void {
    const name = tokens[0]!.toUpperCase();
    if (name === '$TTL') return;
    if (name === '$ORIGIN') {
      if (tokens.length !== 2) {
        out.error(line, '$ORIGIN needs exactly one name');
        return;
      }
      origin = absoluteName(tokens[1]!, origin);
      originFixed = true;
      return;
    }
    if (name === '$INCLUDE') out.error(line, '$INCLUDE is not supported: the zone must be a single file');
    else out.error(line, `unknown directive ${out.quote(tokens[0]!)}`);
  }

  function record(tokens: string[], blankOwner: boolean, line: number): void {
    if (tokens.length === 0) return;
    if (!blankOwner && tokens[0]!.startsWith('$')) {
      directive(tokens, line);
      return;
    }
    let owner: string;
    let ownerAbsolute = false;
    if (blankOwner) {
      if (lastOwner === undefined) {
        out.error(line, 'record has no owner name and there is no previous one to repeat');
        return;
      }
      owner = lastOwner;
    } else {
      const token = tokens.shift()!;
      ownerAbsolute = token.endsWith('.') && token !== '.';
      owner = absoluteName(token, origin);
      lastOwner = owner;
    }
    for (let i = 0; i < 2 && tokens.length > 0; i++) {
      if (TTL.test(tokens[0]!)) tokens.shift();
      else if (tokens[0]!.toUpperCase() === 'IN') tokens.shift();
      else if (/^(CH|HS|CS|ANY)$/i.test(tokens[0]!)) {
        out.error(line, `class ${tokens[0]!.toUpperCase()} is not supported (only IN)`);
        return;
      }
    }
    const type = tokens.shift()?.toUpperCase();
    if (type === undefined || !TYPE.test(type)) {
      out.error(line, type === undefined ? 'record has no type' : `expected a record type, found ${out.quote(type)}`);
      return;
    }
    // The zone's own name usually comes from the server's configuration; without $ORIGIN, an
    // SOA with an absolute owner is the best statement of it.
    if (type === 'SOA' && !originFixed && ownerAbsolute && owner !== origin) {
      origin = owner;
      originFixed = true;
      return;
    }
    if (owner === origin) {
      if (type !== 'SOA' && type !== 'NS') out.skip(line, SKIP_APEX);
      return;
    }
    if (origin && !owner.endsWith(`.${origin}`)) {
      out.error(line, `owner name ${out.quote(owner)} is outside the zone's origin`);
      return;
    }
    const trigger = origin ? owner.slice(0, -(origin.length + 1)) : owner;
    const kind = trigger.slice(trigger.lastIndexOf('.') + 1);
    if (TRIGGER_KINDS.includes(kind)) {
      out.skip(line, skipTrigger(kind));
      return;
    }
    if (type !== 'CNAME') {
      out.skip(line, SKIP_LOCAL_DATA);
      return;
    }
    if (tokens.length !== 1) {
      out.error(line, 'a CNAME record needs exactly one target');
      return;
    }
    const target = tokens[0]!.toLowerCase();
    if (target === '.' || target === '*.' || target === 'rpz-drop.') emitName(trigger, line, out, 'block', 'exact');
    else if (target === 'rpz-passthru.') emitName(trigger, line, out, 'allow', 'exact');
    else if (target === 'rpz-tcp-only.') out.skip(line, SKIP_TCP_ONLY);
    else out.skip(line, SKIP_LOCAL_DATA);
  }

  return {
    line(text, line) {
      const blankOwner = /^[ \t]/.test(text);
      const result = tokenise(text, pending?.depth ?? 0);
      if (result.error) {
        out.error(pending?.line ?? line, `record ${result.error}`);
        pending = undefined;
        return;
      }
      if (pending) {
        pending.tokens.push(...result.tokens);
        pending.depth = result.depth;
        pending.lines++;
      } else {
        pending = { tokens: result.tokens, line, lines: 1, blankOwner, depth: result.depth };
      }
      if (pending.depth > 0) {
        if (pending.lines >= MAX_RECORD_LINES) {
          out.error(pending.line, `unterminated "(": no ")" within ${MAX_RECORD_LINES} lines; the record is ignored`);
          pending = undefined;
        }
        return;
      }
      const done = pending;
      pending = undefined;
      record(done.tokens, done.blankOwner, done.line);
    },
    end() {
      if (pending) out.error(pending.line, 'unterminated "(": the file ends before its ")"');
      pending = undefined;
    },
  };
}
