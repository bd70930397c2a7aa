// The appliance's own facts as rows of a facts list: the release that runs, how the last upgrade
// went and the newest backup, with the next one. The Health page's Schoolgate card and the Status
// page's Gateway card both show them, from the status's `release` and `backups`.
import type { BackupStatus } from '../../../firmware/backup/backup-schema.ts';
import type { ReleaseStatus } from '../../../firmware/upgrade/release-status-schema.ts';
import { formatBytes } from '../format.ts';
import { when } from '../pages/admin-format.ts';
import { OUTCOME, outcomeText } from '../pages/system/upgrade-words.ts';

function ReleaseFacts({ release: r, tz }: { release: ReleaseStatus; tz: string }) {
  if (!r.installed) return <>{r.version} ({r.arch}), a development checkout, not an installed release</>;
  return <>{r.version} ({r.arch}), installed {when(r.installedAt, tz)}</>;
}

function UpgradeFacts({ e, tz }: { e: NonNullable<ReleaseStatus['lastUpgrade']>; tz: string }) {
  const outcome = OUTCOME[e.outcome];
  return (
    <>
      {e.from ?? '—'} to {e.to}, {when(e.at, tz)}: {e.outcome === 'installed' ? outcome : <strong class="warn">{outcome}</strong>}
      {e.outcome === 'installed' ? null : <><br /><span class="muted">{outcomeText(e)}</span></>}
    </>
  );
}

function BackupFacts({ b, tz }: { b: BackupStatus; tz: string }) {
  return (
    <>
      <dt>Last backup</dt>
      <dd>{b.latest === null ? 'none yet' : <>{when(b.latest.createdAt, tz)}, {formatBytes(b.latest.size)}{b.latest.ok ? '' : <strong class="warn"> (failed its check: {b.latest.check})</strong>}<br /><span class="muted hash">{b.latest.file}</span></>}</dd>
      <dt>Next backup</dt>
      <dd>{b.passphraseSet ? b.schedule : <strong class="warn">none: no backup passphrase is set</strong>}
        {b.lastScheduled !== null && !b.lastScheduled.ok ? <><br /><strong class="warn">The last scheduled one was not made: {b.lastScheduled.message}</strong></> : null}</dd>
    </>
  );
}

/**
 * Version, last upgrade, last and next backup, as <dt>/<dd> pairs inside the caller's <dl>. A
 * daemon without the appliance's facts (null or absent) still gets its version.
 */
export function ApplianceFacts({ version, release, backups, tz }: { version: string; release: ReleaseStatus | null | undefined; backups: BackupStatus | null | undefined; tz: string }) {
  return (
    <>
      <dt>Version</dt><dd>{release == null ? version : <ReleaseFacts release={release} tz={tz} />}</dd>
      {release == null ? null : <><dt>Last upgrade</dt><dd>{release.lastUpgrade === null ? 'none yet' : <UpgradeFacts e={release.lastUpgrade} tz={tz} />}</dd></>}
      {backups == null ? null : <BackupFacts b={backups} tz={tz} />}
    </>
  );
}
