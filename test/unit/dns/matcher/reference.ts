// A deliberately naive model of the matcher: keeps every accepted entry as text and walks the
// question's parents with string comparison. Shares no code with the real one (it splits labels
// left to right, the hash reads right to left).
import type { MatcherEntry } from '../../../../firmware/dns/matcher/entry.ts';
import type { MatchExplanation } from '../../../../firmware/dns/matcher/explanation.ts';

export interface ExpectedMatch {
  categories: string[];
  blockList: number;
  blockLine: number;
  allowed: boolean;
  restricted: boolean;
  restrictedList: number;
}

/** Start offsets of `name` and each parent, whole name first; `\x` keeps x inside its label. */
export function suffixStarts(name: string): number[] {
  const starts = [0];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '\\') i++;
    else if (name[i] === '.') starts.push(i + 1);
  }
  return starts;
}

function covers(entry: MatcherEntry, apex: boolean): boolean {
  const mode = entry.mode ?? 'suffix';
  return apex ? mode !== 'subdomains' : mode !== 'exact';
}

/** Accepted entries by name, in input order. */
export function indexEntries(entries: readonly MatcherEntry[]): Map<string, MatcherEntry[]> {
  const byName = new Map<string, MatcherEntry[]>();
  for (const entry of entries) {
    const list = byName.get(entry.name) ?? [];
    list.push(entry);
    byName.set(entry.name, list);
  }
  return byName;
}

function coveringAt(byName: Map<string, MatcherEntry[]>, name: string): { suffix: string; entries: MatcherEntry[] }[] {
  return suffixStarts(name).map((start, i) => {
    const suffix = name.slice(start);
    return { suffix, entries: (byName.get(suffix) ?? []).filter((e) => covers(e, i === 0)) };
  });
}

export function referenceMatch(byName: Map<string, MatcherEntry[]>, name: string): ExpectedMatch {
  const out: ExpectedMatch = { categories: [], blockList: -1, blockLine: -1, allowed: false, restricted: false, restrictedList: -1 };
  const categories = new Set<string>();
  for (const { entries } of coveringAt(byName, name)) {
    const restricted = entries.find((e) => e.kind === 'restricted');
    if (restricted && !out.restricted) {
      out.restricted = true;
      out.restrictedList = restricted.list;
    }
    if (entries.some((e) => e.kind === 'allow')) out.allowed = true;
    const blocks = entries.filter((e) => e.kind === 'block');
    for (const b of blocks) categories.add(b.category!);
    if (blocks[0] && out.blockList < 0) {
      out.blockList = blocks[0].list;
      out.blockLine = blocks[0].line;
    }
  }
  if (out.restricted) {
    out.blockList = -1;
    out.blockLine = -1;
  }
  out.categories = [...categories].sort();
  return out;
}

export function referenceExplain(byName: Map<string, MatcherEntry[]>, name: string): MatchExplanation[] {
  const restricted: MatchExplanation[] = [];
  const listed: MatchExplanation[] = [];
  for (const { suffix, entries } of coveringAt(byName, name)) {
    const hidden = entries.some((e) => e.kind === 'restricted');
    const seen = new Set<string>();
    for (const e of entries) {
      const mode = e.mode ?? 'suffix';
      const meaning = `${e.list} ${e.kind} ${mode} ${e.kind === 'block' ? e.category : ''}`;
      if (seen.has(meaning)) continue;
      seen.add(meaning);
      if (e.kind === 'restricted') {
        if (!restricted.some((r) => r.list === e.list)) restricted.push({ kind: 'restricted', list: e.list });
        continue;
      }
      const category = e.kind === 'block' ? { category: e.category! } : {};
      if (hidden) listed.push({ kind: e.kind, ...category, list: e.list, withheld: true });
      else listed.push({ kind: e.kind, ...category, list: e.list, suffix, mode, line: e.line });
    }
  }
  return [...restricted, ...listed];
}
