// The daemon's side of an upgrade, shared by `schoolgate upgrade FILE` and the web UI: receive a
// release file into the data directory, check it against the trusted keys (the same check the
// switcher repeats as root), and leave the request that starts the switcher. Also the history, and
// the audit entries of the switcher's outcomes (the daemon owns the audit log).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from 'typebox';
import type { AuditLog } from '../control/audit.ts';
import { actorOf } from '../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../control/server.ts';
import type { Logger } from '../log.ts';
import { VERSION } from '../version.ts';
import { currentVersion, installRootOf, releaseKeysDirOf } from './install-layout.ts';
import type { ReleaseManifest } from './manifest-schema.ts';
import { loadTrustedKeys, verifyReleaseFile } from './release-file.ts';
import { ReleaseRefused } from './release-format.ts';
import { incomingDir, readHistory, readProgress, readRequest, writeRequest } from './upgrade-files.ts';
import type { UpgradeHistoryEntry, UpgradeProgress, UpgradeRequest } from './upgrade-schema.ts';

/** The largest chunk `upgrade.upload` takes (before base64); the CLI sends this much at a time. */
export const UPLOAD_CHUNK_BYTES = 512 * 1024;
/** A release file larger than this is refused while it arrives (an arm64 release is ~55 MB). */
export const MAX_RELEASE_BYTES = 400 * 1024 * 1024;

const UploadId = Type.String({ pattern: '^[0-9a-f]{16}$' });
export const UploadParams = Type.Object({
  /** Absent on the first chunk: the daemon names the upload. */
  upload: Type.Optional(UploadId),
  offset: Type.Integer({ minimum: 0 }),
  data: Type.String({ maxLength: Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4 }),
}, { additionalProperties: false });
export type UploadParams = Static<typeof UploadParams>;

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

const uploadPath = (dataDir: string, id: string): string => join(incomingDir(dataDir), `${id}.part`);

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

  control.register<UploadParams>('upgrade.upload', {
    params: UploadParams,
    maxRequestBytes: Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4 + 4096,
    async handle(params) {
      const id = params.upload ?? randomBytes(8).toString('hex');
      if (params.upload === undefined && params.offset !== 0) throw new ControlFailure('invalid-input', 'an upload starts at offset 0');
      await mkdir(incomingDir(dataDir), { recursive: true, mode: 0o750 });
      const path = uploadPath(dataDir, id);
      const size = params.upload === undefined ? 0 : await stat(path).then((s) => s.size, () => -1);
      if (size !== params.offset) throw new ControlFailure('invalid-input', size < 0 ? `no upload ${id} (start again)` : `upload ${id} has ${size} bytes, not ${params.offset}`);
      const bytes = Buffer.from(params.data, 'base64');
      if (size + bytes.length > MAX_RELEASE_BYTES) {
        await rm(path, { force: true });
        throw new ControlFailure('invalid-input', `a release file is at most ${MAX_RELEASE_BYTES / 1024 / 1024} MB`);
      }
      const handle = await open(path, params.upload === undefined ? 'w' : 'a', 0o640);
      try {
        await handle.write(bytes);
      } finally {
        await handle.close();
      }
      return { upload: id, size: size + bytes.length };
    },
  });

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
      const path = uploadPath(dataDir, params.upload);
      if (await readRequest(dataDir) !== undefined) {
        await rm(path, { force: true });
        throw new ControlFailure('busy', 'an upgrade is already waiting to be applied');
      }
      const running = (await currentVersion(installRoot)) ?? VERSION;
      context.progress('checking the signature and the payload');
      let manifest: ReleaseManifest;
      try {
        const keys = await loadTrustedKeys(releaseKeysDirOf(deps.keysDir));
        ({ manifest } = await verifyReleaseFile(path, keys, { arch: deps.arch ?? process.arch, current: running, force: params.force }));
      } catch (error) {
        await rm(path, { force: true });
        if (error instanceof ReleaseRefused) {
          deps.audit.append({ actor: actorOf(caller), action: 'upgrade.refused', subject: error.code, details: { reason: error.message } });
          throw new ControlFailure(`release-${error.code}`, error.message);
        }
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ControlFailure('invalid-input', `no upload ${params.upload}`);
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
      // Stale uploads (a CLI interrupted mid-file) are cleared here rather than kept forever.
      const names = await readdir(incomingDir(dataDir)).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.endsWith('.part'))) {
        const { mtimeMs } = await stat(join(incomingDir(dataDir), name));
        if (Date.now() - mtimeMs > 3600_000) await rm(join(incomingDir(dataDir), name), { force: true });
      }
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
