// `schoolgate lists …` for a person on an SSH session.
import type { FeedUpdateResult } from '../rules/feeds/types.ts';
import type { ImportResult, RemoveResult } from '../rules/list-admin.ts';
import type { ListCheck } from '../rules/list-check.ts';
import type { ListsView, ListView } from '../rules/lists-view.ts';
import { table } from './table.ts';

/** An instant as the technician reads it: minutes are enough, UTC says which clock. */
const when = (iso: string | null): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')}Z` : '-');

function sourceOf(l: ListView): string {
  return l.source.kind === 'file' ? 'file' : `${l.source.kind} ${l.source.detail}`;
}

export function formatLists(view: ListsView, reloaded: boolean): string {
  const head = reloaded
    ? `Reloaded: ${view.names} names compiled in ${view.compileMs} ms.\n`
    : `${view.names} names in service${view.loadedAt ? `, ${view.fromCache ? 'loaded from the compiled cache' : 'compiled'} ${view.loadedAt} in ${view.compileMs} ms` : ''}.\n`;
  if (view.lists.length === 0) return `${head}No lists are configured (config.json "lists").\n`;
  const rows = view.lists.map((l) => [
    l.id, l.restricted ? `${l.category} (restricted)` : l.category, l.enabled ? String(l.entries) : 'off',
    String(l.badLines), l.format, l.error ? `${l.file}: ${l.error}` : l.file, sourceOf(l), when(l.updatedAt),
  ]);
  const problems = view.lists.flatMap((l) => [
    ...l.firstErrors.map((e) => `  ${l.id} line ${e.line}: ${e.message}`),
    ...(l.feed?.lastError ? [`  ${l.id} feed: ${l.feed.lastError}`] : []),
  ]);
  return `${head}\n${table([['LIST', 'CATEGORY', 'NAMES', 'BAD LINES', 'FORMAT', 'FILE', 'SOURCE', 'UPDATED'], ...rows])}\n${problems.length ? `\nFirst problems:\n${problems.join('\n')}\n` : ''}`;
}

/** What a list file holds (`lists test`, and the import's summary). */
export function formatCheck(file: string, check: ListCheck): string {
  const lines = [
    `${file}: format ${check.format}${check.guessed ? ` (guessed: ${check.guessed}; --format to choose)` : ''}`,
    `  ${check.lines} lines, ${check.entries} entries: ${check.names} names, ${check.regexes} regexes, ${check.hashes} hashes, ${check.allow} allow entries`,
    `  ${check.duplicates} duplicates (folded into one)`,
    ...check.skipped.map((s) => `  skipped, ${s.reason}: ${s.count} (first at line ${s.firstLine})`),
    `  ${check.badLines} bad lines${check.badLines ? ':' : ''}`,
    ...check.firstBadLines.map((e) => `    line ${e.line}: ${e.message}`),
    ...(check.badLines > check.firstBadLines.length ? [`    … and ${check.badLines - check.firstBadLines.length} more`] : []),
    ...(check.truncated ? ['  the file is longer than a list may be: the lines after the limit were not read'] : []),
  ];
  return `${lines.join('\n')}\n`;
}

export function formatImport(file: string, result: ImportResult): string {
  return `${formatCheck(file, result.check)}Imported list "${result.id}" (category ${result.category}${result.restricted ? ', restricted' : ''})`
    + `${result.droppedLines ? `, ${result.droppedLines} bad lines dropped` : ''}.\n`
    + `Stored as ${result.file}; ${result.namesInService} names in service now. Recorded in the audit log under your name.\n`;
}

export function formatRemove(result: RemoveResult): string {
  const file = 'keptAs' in result.file ? `Its file is kept as ${result.file.keptAs}.` : `${result.file.unchanged} stays: ${result.file.reason}.`;
  return `Removed list "${result.id}"; ${result.namesInService} names in service now. ${file}\nRecorded in the audit log under your name.\n`;
}

export function formatUpdate(results: readonly FeedUpdateResult[]): string {
  if (results.length === 0) return 'No list has a feed to update.\n';
  const rows = results.map((r) => [r.list, r.outcome, r.entries === undefined ? '-' : String(r.entries), r.badLines === undefined ? '-' : String(r.badLines), r.error ?? '']);
  return `${table([['LIST', 'OUTCOME', 'ENTRIES', 'BAD LINES', 'ERROR'], ...rows])}\n`;
}
