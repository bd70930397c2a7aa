// The 'regex' format: one regular expression a line, matched against the whole normalised name.
import { compileSafeRegex } from './regex-safety.ts';
import { perLine, type LineOut } from './list-item.ts';

/**
 * Checks one pattern (already without delimiters) and emits it, or reports why it is refused.
 * Shared with the adblock format's `/…/` rules.
 */
export function emitRegex(pattern: string, line: number, out: LineOut, action: 'block' | 'allow' = 'block'): void {
  const compiled = compileSafeRegex(pattern);
  if ('reason' in compiled) out.error(line, `${out.quote(pattern)}: ${compiled.reason}`);
  else out.item({ type: 'regex', pattern, action, line });
}

/** `/…/` and `/…/i` are accepted as well as a bare pattern; matching is always case-insensitive. */
export function stripDelimiters(text: string): string | undefined {
  if (!text.startsWith('/')) return text;
  const m = /^\/(.*)\/i?$/s.exec(text);
  return m ? m[1] : undefined;
}

/** One pattern a line; `#` or `!` at the start of a line is a comment (names never contain them). */
export const regexFormat = perLine((text, line, out) => {
  const body = text.trim();
  if (!body || body.startsWith('#') || body.startsWith('!')) return;
  const pattern = stripDelimiters(body);
  if (pattern === undefined) {
    out.error(line, `${out.quote(body)}: a pattern starting with "/" must end with "/" (only the flag i is allowed)`);
    return;
  }
  emitRegex(pattern, line, out);
});
