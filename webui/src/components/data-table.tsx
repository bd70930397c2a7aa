// A data table: a caption naming it, headers that sort (a button in each, the state in aria-sort),
// numbers right-aligned, and an empty state that says so instead of an empty grid. Wide tables
// scroll inside their own box so the page never scrolls sideways on a phone; the caption and the
// empty state stay as wide as that box, not the table, so a phone never cuts their words off.
import type { ComponentChildren } from 'preact';
import { useId, useState } from 'preact/hooks';
import { sortRows, type Cell, type SortDirection } from './sort.ts';

export interface Column<R> {
  key: string;
  label: string;
  value: (row: R) => Cell;
  render?: (row: R) => ComponentChildren;
  numeric?: boolean;
  sortable?: boolean;
}

export interface DataTableProps<R> {
  id?: string;
  caption: string;
  columns: readonly Column<R>[];
  rows: readonly R[];
  rowKey: (row: R) => string;
  empty: string;
  initialSort?: { key: string; direction: SortDirection };
  /** Stack each row as label: value lines when the table's box is narrow (a phone), rather than scroll. */
  stack?: boolean;
}

export function DataTable<R>(props: DataTableProps<R>) {
  const [sort, setSort] = useState(props.initialSort ?? null);
  // The scrolling box is a named, focusable region so a keyboard can scroll a wide table.
  const generated = useId();
  const captionId = `${props.id ?? generated}-caption`;
  const column = sort === null ? undefined : props.columns.find((c) => c.key === sort.key);
  const rows = column !== undefined && sort !== null ? sortRows(props.rows, column.value, sort.direction) : props.rows;
  const toggle = (key: string) => setSort((s) => ({ key, direction: s?.key === key && s.direction === 'ascending' ? 'descending' : 'ascending' }));
  // Roles only where the layout may drop them: elsewhere the elements say it.
  const role = <T extends 'table' | 'rowgroup' | 'row' | 'columnheader' | 'cell'>(r: T): T | undefined => (props.stack ? r : undefined);
  return (
    <div class="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table id={props.id} class={props.stack ? 'data-table data-table-stack' : 'data-table'} role={role('table')}>
        <caption id={captionId}><span class="table-fit">{props.caption}</span></caption>
        <thead role={role('rowgroup')}>
          <tr role={role('row')}>
            {props.columns.map((c) => (
              <th key={c.key} scope="col" role={role('columnheader')} class={c.numeric ? 'num' : undefined} aria-sort={sort?.key === c.key ? sort.direction : c.sortable === false ? undefined : 'none'}>
                {c.sortable === false ? <span class="th-label">{c.label}</span> : (
                  <button type="button" class="sort-button" onClick={() => toggle(c.key)}>
                    {c.label}
                    <span class="sort-icon" aria-hidden="true">{sort?.key === c.key ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}</span>
                  </button>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role={role('rowgroup')}>
          {rows.length === 0
            ? <tr role={role('row')}><td role={role('cell')} colSpan={props.columns.length} class="empty"><span class="table-fit">{props.empty}</span></td></tr>
            : rows.map((r) => (
              <tr key={props.rowKey(r)} role={role('row')}>
                {props.columns.map((c) => <td key={c.key} role={role('cell')} data-label={props.stack ? c.label : undefined} class={c.numeric ? 'num' : undefined}>{c.render ? c.render(r) : String(c.value(r) ?? '')}</td>)}
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
