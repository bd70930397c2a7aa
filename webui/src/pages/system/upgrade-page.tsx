// System > Upgrade (technicians): choose a release file, see what it is once the gateway has
// checked its signature, arch and version, confirm, then follow the switch to its outcome; the
// history shows every upgrade and every automatic rollback. The same checks and audit entries as
// `schoolgate upgrade FILE` (firmware/admin/routes/upgrade.ts).
import { useState } from 'preact/hooks';
import type { UpgradeChecked, UpgradeView } from '../../../../firmware/admin/api/upgrade-schema.ts';
import { Button } from '../../components/button.tsx';
import { Link } from '../../components/link.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Notice } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import { when } from '../admin-format.ts';
import { who } from '../people.ts';
import { OUTCOME, outcomeText } from './upgrade-words.ts';
import './upgrade.css';

const PHASE: Record<string, string> = {
  verifying: 'checking the release again', unpacking: 'unpacking it beside the running release',
  restarting: 'restarting into it', 'health-check': 'checking DNS, the control socket and this page answer',
  settling: 'watching it run', 'rolling-back': 'going back to the previous release', done: 'done',
};

export function UpgradePage() {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const { data, error, reload } = useLoaded<UpgradeView>('/api/system/upgrade', 5_000);
  const [file, setFile] = useState<File | null>(null);
  const [checked, setChecked] = useState<UpgradeChecked | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  /** While the gateway backs up and hands the release over: the confirmation's own progress. */
  const [handing, setHanding] = useState<string | null>(null);

  const check = async (): Promise<void> => {
    if (file === null) {
      setProblem('Choose a release file first (schoolgate-VERSION-ARCH.sgrel).');
      return;
    }
    setBusy(true);
    setProblem(null);
    setDone(null);
    try {
      setChecked(await api.postFile<UpgradeChecked>('/api/system/upgrade/upload', file));
    } catch (e) {
      setChecked(null);
      setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (): Promise<void> => {
    if (checked === null) return;
    setConfirming(false);
    setBusy(true);
    setProblem(null);
    setHanding(`Making a backup before upgrading to ${checked.manifest.version}, then handing the release over…`);
    try {
      await api.post<UpgradeChecked>('/api/system/upgrade/confirm', { upload: checked.upload });
      await reload();
      setDone(`A backup was made and release ${checked.manifest.version} is being installed. The gateway restarts into it; if it does not answer, the previous release comes back by itself.`);
      setChecked(null);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      setHanding(null);
      setBusy(false);
    }
  };

  if (data === null) return <><Notice kind="error">{error === null ? null : `Could not load the upgrades: ${error}`}</Notice>{error === null ? <p role="status">Loading…</p> : null}</>;
  const inProgress = data.progress !== undefined && data.progress.phase !== 'done' ? data.progress : undefined;
  return (
    <>
      <Notice kind="error">{error === null ? null : `Could not refresh: ${error}`}</Notice>
      <p>This gateway runs Schoolgate <strong>{data.running}</strong>.</p>
      {data.pending ? <Notice kind="info">Release {data.pending.version} is waiting to be installed (asked by {who(data.pending.by, data.names[data.pending.by])} at {when(data.pending.at, tz)}).</Notice> : null}
      {inProgress ? <Notice kind="info">Installing {inProgress.version}: {PHASE[inProgress.phase] ?? inProgress.phase}…</Notice> : null}
      <section class="card" aria-labelledby="install">
        <h2 id="install">Install a release</h2>
        <p>A release file is signed by the project; the gateway refuses one that is altered, unsigned, for another kind of box or older than what runs now.</p>
        <p>Before switching, the gateway makes a backup with the stored backup passphrase, kept on the <Link href="/backups">Backups</Link> page with the others; if it cannot, nothing is installed.</p>
        <div class="field">
          <label for="release-file">Release file</label>
          <input id="release-file" type="file" accept=".sgrel" onChange={(e) => { setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null); setChecked(null); }} />
        </div>
        <div class="actions">
          <Button kind="secondary" busy={busy} onClick={() => void check()}>Check release</Button>
        </div>
        {handing === null ? null : <p role="status">{handing}</p>}
        <Notice kind="error">{problem}</Notice>
        <Notice kind="success">{done}</Notice>
        {checked ? (
          <div aria-labelledby="checked-title" role="group">
            <h3 id="checked-title">Release {checked.manifest.version}: signature good</h3>
            <dl class="facts">
              <dt>Replaces</dt><dd>{checked.from}</dd>
              <dt>For</dt><dd>{checked.manifest.arch}</dd>
              <dt>Built</dt><dd>{when(checked.manifest.builtAt, tz)} from {checked.manifest.commit.slice(0, 12)}</dd>
              <dt>Signed by key</dt><dd class="mono">{checked.manifest.keyId}</dd>
            </dl>
            {checked.manifest.notes ? <><h4>Release notes</h4><pre class="release-notes">{checked.manifest.notes}</pre></> : null}
            <div class="actions">
              <Button busy={busy} onClick={() => setConfirming(true)}>Install {checked.manifest.version}</Button>
            </div>
          </div>
        ) : null}
      </section>
      <ConfirmDialog
        open={confirming}
        title={`Install ${checked?.manifest.version ?? ''}?`}
        confirmLabel="Install and restart"
        onConfirm={() => void confirm()}
        onCancel={() => setConfirming(false)}
      >
        <p>The gateway first makes a backup, then restarts into the new release: DNS and these pages pause for a few seconds. If the new release does not answer within a minute and a half, the gateway goes back to {checked?.from ?? 'the running release'} by itself.</p>
      </ConfirmDialog>
      <section class="card" aria-labelledby="history">
        <h2 id="history">Upgrades</h2>
        <DataTable
          id="upgrade-history"
          caption="Every upgrade and its outcome, newest first"
          rows={data.history}
          rowKey={(e) => e.id}
          empty="No upgrades yet."
          stack
          columns={[
            { key: 'at', label: 'When', value: (e) => e.at, render: (e) => when(e.at, tz) },
            { key: 'from', label: 'From', value: (e) => e.from ?? '' },
            { key: 'to', label: 'To', value: (e) => e.to },
            { key: 'outcome', label: 'Outcome', value: (e) => OUTCOME[e.outcome], render: (e) => (e.outcome === 'installed' ? OUTCOME[e.outcome] : <strong class="warn">{OUTCOME[e.outcome]}</strong>) },
            { key: 'by', label: 'By', value: (e) => who(e.by, data.names[e.by]) },
            { key: 'reason', label: 'Why', value: (e) => outcomeText(e) },
          ]}
        />
      </section>
    </>
  );
}
