// Reads the configured list files and compiles them into one matcher. The edge where list files
// are read; the parsing is formats/, the table is dns/matcher/.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Type, type Static } from 'typebox';
import type { Config, ListSource } from '../config/schema.ts';
import { MatcherBuilder } from '../dns/matcher/compile.ts';
import type { MatcherEntry } from '../dns/matcher/entry.ts';
import type { Matcher } from '../dns/matcher/matcher.ts';
import { LINE_PARSERS, type LineError, type ListedName } from './formats/parse.ts';

export const ListStatus = Type.Object({
  id: Type.String(),
  name: Type.String(),
  category: Type.String(),
  format: Type.String(),
  file: Type.String(),
  restricted: Type.Boolean(),
  enabled: Type.Boolean(),
  entries: Type.Integer({ minimum: 0, description: 'names compiled from this list' }),
  badLines: Type.Integer({ minimum: 0 }),
  firstErrors: Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() }), { description: 'up to five; for restricted lists without the listed text' }),
  error: Type.Optional(Type.String({ description: 'why the list could not be read at all' })),
});
export type ListStatus = Static<typeof ListStatus>;

export interface CompiledLists {
  matcher: Matcher;
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

/** Every category id the configuration mentions, in a stable order, so category bits survive reloads. */
export function configuredCategories(config: Pick<Config, 'policies' | 'lists'>): string[] {
  const ids = new Set<string>();
  for (const policy of config.policies) for (const id of Object.keys(policy.categories)) ids.add(id);
  for (const list of config.lists) ids.add(list.category);
  return [...ids].sort();
}

export function listPath(list: ListSource, listsDir: string): string {
  return isAbsolute(list.file) ? list.file : join(listsDir, list.file);
}

/**
 * Compiles every enabled list. A list that cannot be read fails the whole load (ListReadError):
 * the caller keeps the matcher it has rather than serve one with a list silently missing.
 * Bad lines are counted and reported, the rest of the list is used.
 */
export async function compileLists(config: Pick<Config, 'policies' | 'lists'>, options: { listsDir: string; seed: number }): Promise<CompiledLists> {
  const started = performance.now();
  const statuses: ListStatus[] = [];
  const builder = new MatcherBuilder({ categories: configuredCategories(config), seed: options.seed });
  const failures: string[] = [];
  for (const [index, list] of config.lists.entries()) {
    const status: ListStatus = {
      id: list.id, name: list.name, category: list.category, format: list.format, file: list.file,
      restricted: list.restricted === true, enabled: list.enabled, entries: 0, badLines: 0, firstErrors: [],
    };
    statuses.push(status);
    if (!list.enabled) continue;
    let text: string;
    try {
      text = await readFile(listPath(list, options.listsDir), 'utf8');
    } catch (error) {
      status.error = `cannot read ${list.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
      failures.push(`${list.id}: ${status.error}`);
      continue;
    }
    const kind = list.restricted ? 'restricted' : 'block';
    const parse = LINE_PARSERS[list.format];
    const fail = (error: LineError): void => {
      status.badLines++;
      if (status.firstErrors.length < MAX_REPORTED_ERRORS) {
        // A restricted list's content is never shown, not even in an error message.
        status.firstErrors.push(list.restricted ? { line: error.line, message: 'not a valid entry' } : error);
      }
    };
    // One entry object per list, refilled for each name: the builder keeps nothing of it.
    const entry: MatcherEntry = { name: '', mode: 'suffix', kind, category: list.category, list: index, line: 0 };
    const emit = (named: ListedName): void => {
      entry.name = named.name;
      entry.mode = named.mode;
      entry.line = named.line;
      builder.add(entry);
      status.entries++;
    };
    let lineNo = 0;
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      lineNo++;
      parse(text.slice(start, end), lineNo, emit, fail);
      start = end + 1;
    }
  }
  if (failures.length > 0) throw new ListReadError(`lists not loaded: ${failures.join('; ')}`, statuses);
  const matcher = builder.build();
  return { matcher, statuses, listIds: config.lists.map((l) => l.id), compileMs: performance.now() - started };
}
