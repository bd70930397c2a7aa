// Keyword flagging's text: how a name looked up and a keyword are brought to one spelling before
// they are compared, and how a keyword list file (rules/keywords/<id>.txt) reads. Plain functions
// and no schema library: the query log's writer thread loads this.
//
// DNS sees the names devices look up (www.how-to-example.com), never what was typed into a search
// box or the pages read, so a keyword can only ever match a name.

/** What a list's hits are worth: critical ones reach the DSL at once, the rest wait for the review. */
export type KeywordSeverity = 'critical' | 'high' | 'medium' | 'low';
const SEVERITIES: readonly KeywordSeverity[] = ['critical', 'high', 'medium', 'low'];

export interface KeywordList {
  id: string;
  severity: KeywordSeverity;
  /** Normalised keywords: misspellings are keywords of their own. */
  keywords: string[];
  /**
   * Normalised innocent names or parts of names: a keyword found only inside one of them is no
   * hit ("therapist" holds "rapist", "scunthorpe" what it holds).
   */
  innocent: string[];
}

// Character swaps people use to write around a filter: digits and symbols for the letters they
// look like. 1 stands for i or l: both readings are tried (normalisedVariants). A table by
// character code, so a name is read without a string per character (the writer thread normalises
// every name it has not seen recently).
const SWAPS: Readonly<Record<string, string>> = { 0: 'o', 3: 'e', 4: 'a', 5: 's', 7: 't', '@': 'a', $: 's' };
const DROPPED = -1;
const TABLE = new Int32Array(128);
for (let code = 0; code < 128; code++) {
  const c = String.fromCharCode(code).toLowerCase();
  TABLE[code] = c === '.' || c === '-' || c === '_' ? DROPPED : (SWAPS[c] ?? c).charCodeAt(0);
}
const ONE = '1'.charCodeAt(0);
const I = 'i'.charCodeAt(0);
const L = 'l'.charCodeAt(0);

/**
 * One spelling for a name or keyword: lower case, labels joined (dots, dashes and underscores
 * dropped), look-alike digits and symbols swapped for their letters, runs of one letter collapsed
 * to one ("suiiicide" and "suicide" meet; "kill" is written "kil" on both sides). `one` is what a
 * 1 becomes.
 */
export function normaliseKeywordText(text: string, one: 'i' | 'l' = 'i'): string {
  const codes: number[] = [];
  let last = -2;
  for (let i = 0; i < text.length; i++) {
    const c = normalisedCode(text.charCodeAt(i), one === 'l');
    if (c === DROPPED || c === last) continue;
    codes.push(c);
    last = c;
  }
  return String.fromCharCode(...codes);
}

/**
 * What one character becomes (DROPPED: nothing); `oneIsL` reads a 1 as l, else as i. Repeated
 * letters are the caller's to collapse. The matcher reads names through this, building no string.
 */
export function normalisedCode(raw: number, oneIsL: boolean): number {
  if (raw === ONE) return oneIsL ? L : I;
  if (raw < 128) return TABLE[raw]!;
  return String.fromCharCode(raw).toLowerCase().charCodeAt(0);
}

export { DROPPED, ONE };

/** The spellings a name is matched in: one, or two when it holds a 1 (i and l). */
export function normalisedVariants(name: string): string[] {
  const first = normaliseKeywordText(name, 'i');
  if (!name.includes('1')) return [first];
  const second = normaliseKeywordText(name, 'l');
  return second === first ? [first] : [first, second];
}

export class KeywordListError extends Error {
  override name = 'KeywordListError';
}

/** Shorter keywords (after normalising) would match inside too many innocent names. */
export const MIN_KEYWORD_LENGTH = 4;

/**
 * Reads a keyword list file: `# comments`, one `severity: LEVEL` line, a keyword per line (a
 * trailing `# note` allowed), and `!name` lines for the innocent names. Every bad line is named.
 */
export function parseKeywordList(id: string, text: string): KeywordList {
  const problems: string[] = [];
  let severity: KeywordSeverity | undefined;
  const keywords = new Set<string>();
  const innocent = new Set<string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const setting = /^severity:\s*(\S+)$/.exec(line);
    if (setting) {
      if (!SEVERITIES.includes(setting[1] as KeywordSeverity)) problems.push(`line ${index + 1}: severity must be one of ${SEVERITIES.join(', ')}`);
      else if (severity !== undefined) problems.push(`line ${index + 1}: a second severity line`);
      else severity = setting[1] as KeywordSeverity;
      return;
    }
    const isInnocent = line.startsWith('!');
    const word = isInnocent ? line.slice(1).trim() : line;
    if (!/^[a-z0-9.@$_-]+$/.test(word)) {
      problems.push(`line ${index + 1}: "${word}" is not a keyword (lower-case letters, digits, dots and dashes)`);
      return;
    }
    const normal = normaliseKeywordText(word);
    if (isInnocent) innocent.add(normal);
    else if (normal.length < MIN_KEYWORD_LENGTH) problems.push(`line ${index + 1}: "${word}" is shorter than ${MIN_KEYWORD_LENGTH} letters once normalised ("${normal}"): it would match too many innocent names`);
    else keywords.add(normal);
  });
  if (severity === undefined) problems.push('no "severity: LEVEL" line');
  if (keywords.size === 0) problems.push('no keywords');
  if (problems.length > 0) throw new KeywordListError(`keyword list ${id}: ${problems.join('; ')}`);
  return { id, severity: severity!, keywords: [...keywords], innocent: [...innocent] };
}
