// Sorting a table's rows by one column: numbers as numbers, text in the school's locale order,
// missing values last in either direction. Pure, so it is tested without a browser.
export type SortDirection = 'ascending' | 'descending';
export type Cell = string | number | null | undefined;

const collator = new Intl.Collator('en-GB', { numeric: true, sensitivity: 'base' });

export function compareCells(a: Cell, b: Cell): number {
  const aMissing = a === null || a === undefined || a === '';
  const bMissing = b === null || b === undefined || b === '';
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

export function sortRows<R>(rows: readonly R[], value: (row: R) => Cell, direction: SortDirection): R[] {
  // Stable: rows that compare equal keep the order the server gave them.
  return rows
    .map((row, index) => ({ row, index, key: value(row) }))
    .sort((x, y) => {
      const missing = (x.key === null || x.key === undefined || x.key === '') !== (y.key === null || y.key === undefined || y.key === '');
      const c = compareCells(x.key, y.key);
      // Missing values stay last whichever way the column is sorted.
      const directed = missing ? c : direction === 'ascending' ? c : -c;
      return directed !== 0 ? directed : x.index - y.index;
    })
    .map((x) => x.row);
}
