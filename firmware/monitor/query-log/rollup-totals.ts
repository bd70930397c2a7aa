// Sums of rollup rows grouped by some of their columns, for the weekly review (review-data.ts):
// SQLite adds a week's rows up inside the writer thread, which sends back a few hundred totals
// instead of the week's tens of thousands of rows. Run by the writer thread: no TypeBox here.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';

export const ROLLUP_COLUMNS = ['period', 'network', 'device', 'category', 'verdict'] as const;
export type RollupColumn = (typeof ROLLUP_COLUMNS)[number];

/**
 * Totals of a span of periods (`from` included, `to` not: hour starts in ms, or the school's days
 * as YYYY-MM-DD), grouped by `by`, optionally only some verdicts or devices, only groups of at
 * least `minCount`, the largest first and at most `limit` of them.
 */
export interface TotalsQuery {
  kind: 'hours' | 'days';
  from: number | string;
  to: number | string;
  by: RollupColumn[];
  verdicts?: string[];
  devices?: string[];
  minCount?: number;
  limit?: number;
}

/** One group: the grouped columns' values (period as in the table) and the sum of its counts. */
export type Total = Partial<Record<RollupColumn, string | number>> & { count: number };

export function rollupTotals(db: DatabaseSync, query: TotalsQuery): Total[] {
  // Column names come from this list only: nothing a caller sends reaches the SQL text.
  const by = query.by.map((column) => {
    if (!ROLLUP_COLUMNS.includes(column)) throw new RangeError(`cannot group rollups by "${String(column)}"`);
    return column;
  });
  const table = query.kind === 'hours' ? 'rollup_hours' : 'rollup_days';
  const period = query.kind === 'hours' ? 'hour' : 'day';
  const select = by.map((column) => (column === 'period' ? `${period} AS period` : column));
  const where = [`${period} >= ?`, `${period} < ?`];
  const args: SQLInputValue[] = [query.from, query.to];
  const within = (column: string, values: string[] | undefined): void => {
    if (values === undefined) return;
    where.push(`${column} IN (${values.map(() => '?').join(', ') || 'NULL'})`);
    args.push(...values);
  };
  within('verdict', query.verdicts);
  within('device', query.devices);
  let sql = `SELECT ${[...select, 'sum(count) AS count'].join(', ')} FROM ${table} WHERE ${where.join(' AND ')}`;
  if (by.length > 0) sql += ` GROUP BY ${by.map((_, i) => i + 1).join(', ')}`;
  if (query.minCount !== undefined) {
    sql += ' HAVING sum(count) >= ?';
    args.push(query.minCount);
  }
  sql += ` ORDER BY count DESC${by.map((_, i) => `, ${i + 1}`).join('')}`;
  if (query.limit !== undefined) {
    sql += ' LIMIT ?';
    args.push(query.limit);
  }
  return db.prepare(sql).all(...args).map((r) => {
    const total: Total = { count: Number(r.count ?? 0) };
    for (const column of by) total[column] = column === 'period' && query.kind === 'hours' ? Number(r.period) : String(r[column]);
    return total;
  });
}
