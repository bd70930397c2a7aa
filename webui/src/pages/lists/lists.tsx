// Lists: what each block list holds (category, names, bad lines), where it comes from, when it
// last changed and how its feed is getting on — the same view as `schoolgate lists`. With
// lists.manage: update the feeds now, and import a file (import-form.tsx). A restricted
// (illegal-content) list's entries are never shown, here or anywhere. A list is removed after a
// confirmation (its own file set aside, the removal in the audit log); an illegal-content list
// cannot be removed here at all.
import { useEffect, useState } from 'preact/hooks';
import type { ListRemoveResult, ListsView, ListUpdateResults, ListView } from '../../../../firmware/admin/api/lists-schema.ts';
import { Button } from '../../components/button.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { errorsOf, when } from '../admin-format.ts';
import { ImportForm } from './import-form.tsx';

const number = new Intl.NumberFormat('en-GB');

function feedState(l: ListView, tz: string): string {
  if (l.feed === undefined) return '—';
  const last = l.feed.lastOutcome === null ? 'not fetched yet' : l.feed.lastOutcome;
  const next = l.feed.nextRun === null ? '' : `; next ${when(l.feed.nextRun, tz)}`;
  return `${last}${l.feed.lastError ? ` (${l.feed.lastError})` : ''}${next}`;
}

export function ListsPage() {
  const { api, session } = useApp();
  const [view, setView] = useState<ListsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [updating, setUpdating] = useState<string | null>(null);
  const [removing, setRemoving] = useState<ListView | null>(null);
  const tz = session?.site.timezone ?? 'Europe/London';
  const canManage = session?.permissions.includes('lists.manage') ?? false;

  const load = async () => {
    try {
      setView(await api.get<ListsView>('/api/lists'));
      setError(null);
    } catch (e) {
      setError(errorsOf(e).message);
    }
  };
  useEffect(() => { void load(); }, []);

  const update = async (only?: string) => {
    setUpdating(only ?? '*');
    setDone(null);
    setError(null);
    try {
      const { results } = await api.post<ListUpdateResults>('/api/lists/update', only === undefined ? {} : { only });
      // The notice waits for the table to show the change, so what it says and what is listed agree.
      await load();
      setDone(results.length === 0 ? 'No list has a feed to update.'
        : `Updated: ${results.map((r) => `${r.list} ${r.outcome}${r.error ? ` (${r.error})` : ''}`).join('; ')}.`);
    } catch (e) {
      setError(errorsOf(e).message);
    } finally {
      setUpdating(null);
    }
  };

  const remove = async (list: ListView) => {
    setRemoving(null);
    setDone(null);
    setError(null);
    try {
      const result = await api.post<ListRemoveResult>('/api/lists/remove', { id: list.id });
      const file = 'keptAs' in result.file ? ` Its file was kept as ${result.file.keptAs}.` : '';
      await load();
      setDone(`${list.name} was removed: ${number.format(result.namesInService)} names in service now.${file}`);
    } catch (e) {
      setError(errorsOf(e).message);
    }
  };

  if (view === null) return <><Notice kind="error">{error}</Notice>{error === null ? <p role="status">Loading…</p> : null}</>;
  const feeds = view.lists.filter((l) => l.feed !== undefined);
  return (
    <>
      <Notice kind="error">{error}</Notice>
      <Notice kind="success">{done}</Notice>
      <p>{number.format(view.names)} names in service{view.loadedAt !== null ? `, loaded ${when(view.loadedAt, tz)}` : ''}{view.fromCache ? ' (from the compiled cache)' : ''}.</p>
      <DataTable
        id="lists"
        caption={`Lists: ${view.lists.length}`}
        rows={view.lists}
        rowKey={(l) => l.id}
        empty="No lists are configured."
        columns={[
          { key: 'name', label: 'List', value: (l) => l.name, render: (l) => <>{l.name}{l.restricted ? <span class="tag" title="illegal content: its entries are never shown">restricted</span> : null}{l.enabled ? null : <span class="tag">off</span>}</> },
          { key: 'category', label: 'Category', value: (l) => l.category },
          { key: 'entries', label: 'Names', numeric: true, value: (l) => l.entries, render: (l) => number.format(l.entries) },
          { key: 'bad', label: 'Bad lines', numeric: true, value: (l) => l.badLines, render: (l) => (l.error ? <strong class="warn">unreadable: {l.error}</strong> : l.badLines > 0 ? <strong class="warn">{number.format(l.badLines)}</strong> : '0') },
          { key: 'source', label: 'Source', value: (l) => `${l.source.kind}: ${l.source.detail}` },
          { key: 'updated', label: 'Last update', value: (l) => l.updatedAt ?? '', render: (l) => when(l.updatedAt, tz) },
          { key: 'feed', label: 'Feed', value: (l) => feedState(l, tz), render: (l) => (
            l.feed !== undefined && canManage
              ? <>{feedState(l, tz)} <Button kind="secondary" busy={updating === l.id} onClick={() => void update(l.id)}>Update {l.name}</Button></>
              : feedState(l, tz)) },
          ...(canManage ? [{ key: 'remove', label: 'Remove', sortable: false, value: () => '', render: (l: ListView) => (l.restricted
            ? <span class="muted">Must stay<span class="visually-hidden"> (illegal content)</span></span>
            : <Button kind="secondary" onClick={() => setRemoving(l)}>Remove<span class="visually-hidden"> {l.name}</span></Button>) }] : []),
        ]}
      />
      <ConfirmDialog open={removing !== null} title={`Remove ${removing?.name ?? 'the list'}?`} confirmLabel="Remove the list"
        onConfirm={() => { if (removing !== null) void remove(removing); }} onCancel={() => setRemoving(null)}>
        <p>Its names are no longer blocked as {removing?.category} from now on, on every network. The removal is recorded in the audit log under your name{removing?.source.kind === 'file' ? ', and its file is kept beside the others' : ''}.</p>
      </ConfirmDialog>
      {canManage && feeds.length > 0 ? (
        <div class="actions no-print"><Button busy={updating === '*'} onClick={() => void update()}>Update every feed now</Button></div>
      ) : null}
      {canManage ? <ImportForm onImported={async (message) => { await load(); setDone(message); }} /> : null}
    </>
  );
}
