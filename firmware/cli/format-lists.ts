// `schoolgate lists` for a person on an SSH session.
import type { ListsReport } from '../rules/lists-manager.ts';
import { table } from './table.ts';

export function formatLists(report: ListsReport, reloaded: boolean): string {
  const head = reloaded
    ? `Reloaded: ${report.names} names compiled in ${report.compileMs} ms.\n`
    : `${report.names} names in service${report.loadedAt ? `, compiled ${report.loadedAt} in ${report.compileMs} ms` : ''}.\n`;
  if (report.lists.length === 0) return `${head}No lists are configured (config.json "lists").\n`;
  const rows = report.lists.map((l) => [
    l.id, l.restricted ? `${l.category} (restricted)` : l.category, l.enabled ? String(l.entries) : 'off',
    String(l.badLines), l.format, l.error ? `${l.file}: ${l.error}` : l.file,
  ]);
  const problems = report.lists.flatMap((l) => l.firstErrors.map((e) => `  ${l.id} line ${e.line}: ${e.message}`));
  return `${head}\n${table([['LIST', 'CATEGORY', 'NAMES', 'BAD LINES', 'FORMAT', 'FILE'], ...rows])}\n${problems.length ? `\nFirst problems:\n${problems.join('\n')}\n` : ''}`;
}
