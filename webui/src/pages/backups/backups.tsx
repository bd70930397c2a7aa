// Backups (system.manage): the backups the gateway keeps, each with its check; a backup made now
// with the stored passphrase; a backup downloaded to take off the box (encrypted, audited).
// Restoring is a CLI step with the service stopped, and the page says so rather than offering it.
import { useState } from 'preact/hooks';
import type { BackupCreated, BackupEntry, BackupListView } from '../../../../firmware/admin/api/backups-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { DataTable, type Column } from '../../components/data-table.tsx';
import { Notice } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import { who } from '../people.ts';

const size = (bytes: number): string => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`);

function made(iso: string, tz: string): string {
  if (iso === '') return '—';
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: tz }).format(new Date(iso));
}

export function BackupsPage() {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const { data, error, reload } = useLoaded<BackupListView>('/api/backups');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  const backUpNow = async () => {
    setBusy(true);
    setDone(null);
    setFailed(null);
    try {
      const result = await api.post<BackupCreated>('/api/backups', {});
      await reload();
      setDone(`Backup made: ${result.entry.file} (${size(result.entry.size)}), read back and verified.${result.removed.length > 0 ? ` The oldest (${result.removed.join(', ')}) was removed.` : ''}`);
    } catch (e) {
      setFailed(e instanceof ApiRequestError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const columns: Column<BackupEntry>[] = [
    { key: 'made', label: 'Made', value: (b) => b.createdAt, render: (b) => made(b.createdAt, tz) },
    {
      key: 'by', label: 'Made by', value: (b) => (b.createdBy === '' ? '—' : who(b.createdBy, data?.names[b.createdBy])),
      render: (b) => <>{b.createdBy === '' ? '—' : who(b.createdBy, data?.names[b.createdBy])}{b.beforeUpgradeTo === null ? null : <><br /><strong>before upgrading to {b.beforeUpgradeTo}</strong></>}</>,
    },
    { key: 'size', label: 'Size', value: (b) => b.size, render: (b) => size(b.size), numeric: true },
    { key: 'encrypted', label: 'Encrypted', value: (b) => (b.encrypted ? 'yes' : 'no') },
    { key: 'firmware', label: 'Firmware', value: (b) => b.firmwareVersion ?? '?' },
    { key: 'check', label: 'Check', value: (b) => b.check, render: (b) => (b.ok ? b.check : <strong>Failed: {b.check}</strong>) },
    {
      key: 'download', label: 'Download', sortable: false, value: (b) => b.file,
      render: (b) => <a href={`/api/backups/${encodeURIComponent(b.file)}`} download={b.file}>Download<span class="visually-hidden"> the backup of {made(b.createdAt, tz)}</span></a>,
    },
  ];

  return (
    <>
      <Notice kind="error">{error === null ? null : `Could not load the backups: ${error}`}</Notice>
      <Notice kind="error">{failed}</Notice>
      <Notice kind="success">{done}</Notice>
      <p class="prose">
        Each backup holds the configuration, the accounts, devices, leases, vouchers, alerts, reviews, incidents and the audit log,
        the lists, the secrets and the web certificate, always encrypted with the backup passphrase. It does not hold the query log,
        which the school keeps for days only.
      </p>
      {data === null ? (error === null ? <p role="status">Loading…</p> : null) : (
        <>
          {data.passphraseSet ? null : (
            <Notice kind="warning">
              No backup passphrase is set, so no backup is made. A technician sets one over SSH: <code>schoolgate backup passphrase --passphrase-file FILE</code>. Keep a copy in the school safe.
            </Notice>
          )}
          <p>Scheduled {data.schedule}; the newest {data.keep} are kept.</p>
          {data.lastScheduled === null ? null : data.lastScheduled.ok
            ? <p>The last scheduled backup, {made(data.lastScheduled.at, tz)}: {data.lastScheduled.message}.</p>
            : <Notice kind="warning">The last scheduled backup, {made(data.lastScheduled.at, tz)}, was not made: {data.lastScheduled.message}.</Notice>}
          <p class="no-print"><Button onClick={() => void backUpNow()} busy={busy}>Make a backup now</Button></p>
          <DataTable
            caption="Backups on the gateway, newest first"
            columns={columns}
            rows={data.backups}
            rowKey={(b) => b.file}
            empty="No backups yet."
          />
        </>
      )}
      <h2>Restoring a backup</h2>
      <p class="prose">
        Restoring replaces the gateway's databases, so it is done over SSH with the service stopped, not from this page:
        <code> systemctl stop schoolgate</code>, then <code>schoolgate backup restore FILE --passphrase-file F</code>, then
        <code> systemctl start schoolgate</code>. Everything is checked before anything is replaced, and <code>schoolgate backup undo</code> puts
        the previous state back.
      </p>
    </>
  );
}
