// The daemon's side of an upgrade, shared by `schoolgate upgrade FILE` and the web UI: receive a
// release file into the data directory, check it against the trusted keys (the same check the
// switcher repeats as root), and leave the request that starts the switcher. Also the history, and
// the audit entries of the switcher's outcomes (the daemon owns the audit log).
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from 'typebox';
import type { AuditLog } from '../control/audit.ts';
import { actorOf } from '../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../control/server.ts';
import { uploadMethod, UploadStore } from '../control/upload.ts';
import { UploadId } from '../control/upload-schema.ts';
import type { Logger } from '../log.ts';
import { VERSION } from '../version.ts';
import { currentVersion, installRootOf, releaseKeysDirOf } from './install-layout.ts';
import type { ReleaseManifest } from './manifest-schema.ts';
import { loadTrustedKeys, verifyReleaseFile } from './release-file.ts';
import { ReleaseRefused } from './release-format.ts';
import { incomingDir, readHistory, readProgress, readRequest, writeRequest } from './upgrade-files.ts';
import type { UpgradeHistoryEntry, UpgradeProgress, UpgradeRequest } from './upgrade-schema.ts';

/** A release file larger than this is refused while it arrives (an arm64 release is ~55 MB). */
export const MAX_RELEASE_BYTES = 400 * 1024 * 1024;
/** What a release file is called in the upload's messages. */
export const RELEASE_FILE = 'a release file';

export const RequestParams = Type.Object({
  upload: UploadId,
  force: Type.Optional(Type.Boolean()),
  /** Only check it and show its manifest (the web UI's step before the confirmation); the upload is kept for the request. */
  check: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type RequestParams = Static<typeof RequestParams>;

export interface UpgradeOverview {
  running: string;
  installed: string | undefined;
  pending: UpgradeRequest | undefined;
  progress: UpgradeProgress | undefined;
  history: UpgradeHistoryEntry[];
}

export interface UpgradeDeps {
  dataDir: string;
  audit: AuditLog;
  logger: Logger;
  installRoot?: string;
  keysDir?: string;
  arch?: string;
  /**
   * Makes the backup taken before every switch (backup/wiring.ts's create, named for the version);
   * when it fails the upgrade is refused and nothing is handed to the switcher.
   */
  backupFirst?: (version: string, actor: string, progress: (line: string) => void) => Promise<unknown>;
  /** Told after the switcher's outcomes are recorded (the status's last upgrade). */
  onRecorded?: () => Promise<void>;
}

/** Where a release file waits while it arrives and until it is requested (then renamed VERSION.sgrel beside it). */
const releaseUploads = (dataDir: string): UploadStore =>
  new UploadStore({ dir: incomingDir(dataDir), maxBytes: MAX_RELEASE_BYTES, what: RELEASE_FILE });

/** Audits each history entry not yet audited (by its id as the subject); returns how many it added. */
export async function auditHistory(deps: Pick<UpgradeDeps, 'dataDir' | 'audit'>): Promise<number> {
  const history = await readHistory(deps.dataDir);
  const audited = new Set(deps.audit.list({ action: 'upgrade.result', limit: 1000 }).map((e) => e.subject));
  let added = 0;
  for (const entry of history.slice(-100)) {
    if (audited.has(entry.id)) continue;
    deps.audit.append({ actor: entry.by, action: 'upgrade.result', subject: entry.id, details: { from: entry.from, to: entry.to, outcome: entry.outcome, reason: entry.reason, checks: entry.checks, restored: entry.restored } });
    added += 1;
  }
  return added;
}

export function registerUpgradeMethods(control: ControlServer, deps: UpgradeDeps): void {
  const { dataDir } = deps;
  const installRoot = installRootOf(deps.installRoot);

  const uploads = releaseUploads(dataDir);
  control.register('upgrade.upload', uploadMethod(uploads));

  // The upload is kept when the backup fails: once the reason is dealt with (a passphrase stored),
  // the same checked file can be confirmed again (stale uploads go after an hour, below).
  const backUpFirst = async (version: string, actor: string, progress: (line: string) => void): Promise<void> => {
    if (deps.backupFirst === undefined) return;
    progress(`backing up before upgrading to ${version}`);
    try {
      await deps.backupFirst(version, actor, (line) => progress(`backup: ${line}`));
    } catch (error) {
      const reason = `no backup could be made before upgrading to ${version}, so the upgrade was refused and nothing was switched: ${(error as Error).message}`;
      deps.audit.append({ actor, action: 'upgrade.refused', subject: 'backup-failed', details: { version, reason } });
      throw new ControlFailure('backup-failed', reason);
    }
  };

  control.register<RequestParams>('upgrade.request', {
    params: RequestParams,
    async handle(params, caller, context) {
      if (await readRequest(dataDir) !== undefined) {
        await uploads.remove(params.upload);
        throw new ControlFailure('busy', 'an upgrade is already waiting to be applied');
      }
      const path = await uploads.finished(params.upload);
      const running = (await currentVersion(installRoot)) ?? VERSION;
      context.progress('checking the signature and the payload');
      let manifest: ReleaseManifest;
      try {
        const keys = await loadTrustedKeys(releaseKeysDirOf(deps.keysDir));
        ({ manifest } = await verifyReleaseFile(path, keys, { arch: deps.arch ?? process.arch, current: running, force: params.force }));
      } catch (error) {
        await uploads.remove(params.upload);
        if (error instanceof ReleaseRefused) {
          deps.audit.append({ actor: actorOf(caller), action: 'upgrade.refused', subject: error.code, details: { reason: error.message } });
          throw new ControlFailure(`release-${error.code}`, error.message);
        }
        throw error;
      }
      if (params.check === true) return { manifest, from: running, requested: false };
      await backUpFirst(manifest.version, actorOf(caller), context.progress);
      const file = join(incomingDir(dataDir), `${manifest.version}.sgrel`);
      await rename(path, file);
      const request: UpgradeRequest = { version: manifest.version, file, force: params.force === true, by: actorOf(caller), at: new Date().toISOString() };
      await writeRequest(dataDir, request);
      deps.audit.append({ actor: request.by, action: 'upgrade.request', subject: manifest.version, details: { from: running, force: request.force, keyId: manifest.keyId, sha256: manifest.sha256 } });
      deps.logger.info({ version: manifest.version, from: running }, 'upgrade requested: the switcher installs it and restarts the daemon');
      return { manifest, from: running, requested: true };
    },
  });

  control.register('upgrade.status', {
    async handle(): Promise<UpgradeOverview> {
      // Stale uploads (a CLI interrupted mid-file) go when the next starts, and here too: a
      // box where nobody uploads again should not keep a half release for good.
      await uploads.removeStale();
      return {
        running: VERSION,
        installed: await currentVersion(installRoot),
        pending: await readRequest(dataDir),
        progress: await readProgress(dataDir),
        history: (await readHistory(dataDir)).slice(-50).reverse(),
      };
    },
  });

  control.register('upgrade.record', {
    async handle() {
      const added = await auditHistory(deps);
      await deps.onRecorded?.();
      return { added };
    },
  });
  // A switcher that could not reach the daemon (it was restarting) leaves its outcome unaudited.
  auditHistory(deps).catch((err: Error) => deps.logger.error({ err }, 'upgrade history could not be audited'));
}
