// Each list's last update and whether it failed: shared by the dashboard and the health page.
import type { ListFreshness } from '../../../../firmware/admin/api/dashboard-schema.ts';
import { DataTable } from '../../components/data-table.tsx';

const number = new Intl.NumberFormat('en-GB');
const SOURCE: Record<ListFreshness['source'], string> = { builtin: 'shipped', file: 'file', feed: 'feed' };

export function ListFreshnessTable({ lists, timezone }: { lists: readonly ListFreshness[]; timezone: string }) {
  return (
    <DataTable
      id="list-freshness"
      caption="Each list in service: where it comes from and when it last changed"
      rows={lists}
      rowKey={(l) => l.id}
      empty="No lists are configured."
      initialSort={{ key: 'state', direction: 'descending' }}
      columns={[
        { key: 'name', label: 'List', value: (l) => l.name },
        { key: 'category', label: 'Category', value: (l) => l.category },
        { key: 'source', label: 'Source', value: (l) => SOURCE[l.source] },
        { key: 'entries', label: 'Entries', numeric: true, value: (l) => l.entries, render: (l) => number.format(l.entries) },
        { key: 'updated', label: 'Last update', value: (l) => l.updatedAt ?? '', render: (l) => (l.updatedAt === null ? 'not known' : new Date(l.updatedAt).toLocaleString('en-GB', { timeZone: timezone, dateStyle: 'medium', timeStyle: 'short' })) },
        { key: 'state', label: 'State', value: (l) => (l.failed ? 1 : 0), render: (l) => (l.failed ? <strong class="warn">Problem: {l.problem}</strong> : 'in service') },
      ]}
    />
  );
}
