// Reads the configured list files and compiles them into one matcher. The edge where list files
// are read; the parsing is formats/, the table is dns/matcher/.
import { isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config, ListSource } from '../config/schema.ts';
import { MatcherBuilder } from '../dns/matcher/compile.ts';
import type { MatcherEntry } from '../dns/matcher/entry.ts';
import type { Matcher } from '../dns/matcher/matcher.ts';
import { builtinId } from './builtin-id.ts';
import type { Catalogue } from './catalogue.ts';
import type { ListStatus } from './list-status.ts';
import { createListReader, type LineError, type ListItem } from './formats/parse.ts';
import { plainAdblockLine } from './formats/adblock.ts';
import { plainDomainsLine, plainHostsLine, type NameSpan, type PlainNameLine } from './formats/plain.ts';
import { forEachFileLine, sampleFile } from './formats/file-lines.ts';
import { estimateEntryLines, SAMPLE_BYTES } from './formats/read-list.ts';

export type { ListStatus } from './list-status.ts';

/**
 * The entries that cannot live in the hashed-name table: regular expressions (matched on each
 * question) and SHA-256 hashed names (restricted lists supplied hashed). Plain data, so it crosses
 * from the compiler thread with a structured clone.
 */
export interface ListExtras {
  regexes: Array<{ pattern: string; action: 'block' | 'allow'; list: number; line: number }>;
  hashes: Array<{ sha256: string; list: number }>;
}

export interface CompiledLists {
  matcher: Matcher;
  extras: ListExtras;
  statuses: ListStatus[];
  /** config.lists order: the matcher's list numbers index this. */
  listIds: string[];
  compileMs: number;
}

export class ListReadError extends Error {
  readonly statuses: ListStatus[];
  constructor(message: string, statuses: ListStatus[]) {
    super(message);
    this.statuses = statuses;
  }
}

const MAX_REPORTED_ERRORS = 5;

/** Formats whose commonest line is one plain block name, read from bytes (formats/plain.ts). */
const PLAIN_NAME_LINES: Partial<Record<ListSource['format'], PlainNameLine>> = {
  domains: plainDomainsLine,
  hosts: plainHostsLine,
  adblock: plainAdblockLine,
};

/** Every category id the configuration mentions, in a stable order, so category bits survive reloads. */
export function configuredCategories(config: Pick<Config, 'policies' | 'lists'>): string[] {
  const ids = new Set<string>();
  for (const policy of config.policies) for (const id of Object.keys(policy.categories)) ids.add(id);
  for (const list of config.lists) ids.add(list.category);
  return [...ids].sort();
}

/** Where a list's file is: a shipped list (builtin:ID), a path in DATA_DIR/lists, or absolute. */
export function listPath(list: ListSource, listsDir: string, catalogue: () => Catalogue): string {
  const builtin = builtinId(list.file);
  if (builtin !== undefined) return catalogue().builtinListPath(builtin);
  return isAbsolute(list.file) ? list.file : join(listsDir, list.file);
}

export interface CompileOptions {
  listsDir: string;
  seed: number;
  /** Each enabled list's file, already resolved (the compiler thread: the paths it was stamped with). */
  pathOf?: (list: ListSource) => string;
}

/**
 * Compiles every enabled list. A list that cannot be read fails the whole load (ListReadError):
 * the caller keeps the matcher it has rather than serve one with a list silently missing.
 * Bad lines are counted and reported, the rest of the list is used.
 */
export async function compileLists(config: Pick<Config, 'policies' | 'lists'>, options: CompileOptions): Promise<CompiledLists> {
  const started = performance.now();
  const statuses: ListStatus[] = [];
  const extras: ListExtras = { regexes: [], hashes: [] };
  const failures: string[] = [];
  // The shipped catalogue (TypeBox, its JSON files) is loaded only for a builtin: list with no
  // path given: the compiler thread is given every path and never loads it.
  let catalogue: Catalogue | undefined;
  if (!options.pathOf && config.lists.some((l) => l.enabled && builtinId(l.file) !== undefined)) catalogue = (await import('./catalogue.ts')).loadCatalogue();
  const shipped = (): Catalogue => catalogue ?? ((): never => { throw new Error('the shipped catalogue was not loaded'); })();
  const pathOf = options.pathOf ?? ((list: ListSource): string => listPath(list, options.listsDir, shipped));
  // Every enabled file is sampled first: their line counts size the table, so a big compile does
  // not regrow and rehash it (~60 ms of a 1M-name compile on the test box). Only up to a cap: the
  // hint reserves memory, and lines that turn out not to be names must not reserve hundreds of MB.
  // Then each is read a piece at a time (formats/file-lines.ts), never whole.
  const files = await Promise.all(config.lists.map(async (list) => (list.enabled ? sampleList(pathOf, list) : undefined)));
  const estimate = files.reduce((sum, file) => sum + (file && !('error' in file) ? estimateEntryLines(file.sample, file.size) : 0), 0);
  const expectedNames = Math.min(estimate, MAX_EXPECTED_NAMES);
  const builder = new MatcherBuilder({ categories: configuredCategories(config), seed: options.seed, expectedNames });
  const span: NameSpan = { start: 0, end: 0 };
  for (const [index, list] of config.lists.entries()) {
    const status: ListStatus = {
      id: list.id, name: list.name, category: list.category, format: list.format, file: list.file,
      restricted: list.restricted === true, enabled: list.enabled, entries: 0, badLines: 0, duplicates: 0, skipped: [], firstErrors: [],
    };
    statuses.push(status);
    if (!list.enabled) continue;
    const file = files[index];
    if (!file || 'error' in file) {
      status.error = `cannot read ${list.file}: ${file?.error ?? 'not read'}`;
      failures.push(`${list.id}: ${status.error}`);
      continue;
    }
    const restricted = list.restricted === true;
    const listKind = restricted ? 'restricted' : list.action === 'allow' ? 'allow' : 'block';
    // One entry object per list, refilled for each name: the builder keeps nothing of it.
    const entry: MatcherEntry = { name: '', mode: 'suffix', kind: listKind, category: list.category, list: index, line: 0 };
    const item = (it: ListItem): void => {
      status.entries++;
      if (it.type === 'name') {
        namesAdded++;
        entry.name = it.name;
        entry.mode = it.mode;
        entry.line = it.line;
        // An @@ line in a block list allows; nothing in a restricted list can.
        entry.kind = restricted ? 'restricted' : it.action === 'allow' ? 'allow' : listKind;
        builder.add(entry);
      } else if (it.type === 'regex') {
        extras.regexes.push({ pattern: it.pattern, action: it.action === 'allow' || listKind === 'allow' ? 'allow' : 'block', list: index, line: it.line });
      } else {
        extras.hashes.push({ sha256: it.sha256, list: index });
      }
    };
    const error = (e: LineError): void => {
      status.badLines++;
      if (status.firstErrors.length < MAX_REPORTED_ERRORS) status.firstErrors.push(e);
    };
    // Restricted lists: messages never quote the entry, and allow lines are refused. Repeats are
    // folded by the matcher (by hash, within and across lists) far more cheaply than a set of
    // strings here would: a 1M-name list compiles in a third of the time.
    const reader = createListReader(list.format, { item, error }, { redact: restricted, exceptions: !restricted, keepDuplicates: true });
    const namesBefore = builder.size;
    let namesAdded = 0;
    // Most lines of a domains, hosts or adblock list are one name in normal form: those are
    // hashed from the file's bytes with no string made; every other line is read as text.
    const plainName = PLAIN_NAME_LINES[list.format];
    const eachLine = (bytes: Buffer, start: number, end: number): void => {
      const textEnd = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
      const line = plainName?.(bytes, start, textEnd, span) ? reader.claimPlainName() : 0;
      if (line === 0) {
        reader.push(bytes.toString('utf8', start, end));
        return;
      }
      status.entries++;
      namesAdded++;
      entry.mode = 'suffix';
      entry.line = line;
      entry.kind = listKind;
      builder.addNameBytes(bytes, span.start, span.end, entry);
    };
    try {
      await forEachFileLine(file.path, eachLine);
    } catch (err) {
      status.error = `cannot read ${list.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      failures.push(`${list.id}: ${status.error}`);
      continue;
    }
    const summary = reader.end();
    // Names this list repeats (of its own or of an earlier list's), which the table folded.
    status.duplicates = namesAdded - (builder.size - namesBefore);
    status.skipped = summary.skipped.map((k) => ({ reason: k.reason, count: k.count }));
    if (summary.truncated && restricted) {
      // Part of an illegal-content list is no list at all: refuse rather than half-apply it.
      status.error = `${list.file} is longer than a list may be`;
      failures.push(`${list.id}: ${status.error}`);
    }
  }
  if (failures.length > 0) throw new ListReadError(`lists not loaded: ${failures.join('; ')}`, statuses);
  const matcher = builder.build();
  return { matcher, extras, statuses, listIds: config.lists.map((l) => l.id), compileMs: performance.now() - started };
}

/** The most names a compile reserves room for before it reads them (~50 MB of arrays); beyond, it grows. */
const MAX_EXPECTED_NAMES = 2_000_000;

async function sampleList(pathOf: (list: ListSource) => string, list: ListSource): Promise<{ path: string; size: number; sample: Buffer } | { error: string }> {
  try {
    const path = pathOf(list);
    return { path, ...await sampleFile(path, SAMPLE_BYTES) };
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}
