// The switcher: `schoolgate upgrade apply`, run as root by image/schoolgate-upgrade.service when
// the daemon leaves a request. The daemon (an unprivileged user) has already checked the file;
// this copies it out of the daemon's reach and checks it again against the trusted keys before
// root unpacks anything, so a compromised daemon cannot have root install what was never signed.
// Then: unpack beside the running release, move `current`, restart, health-check, and if the new
// release does not answer (or crash-loops while settling, or stops) move `current` back and restart
// again. A daemon that exits, however it exits, ends the wait at once (ServiceManager.failed).
import type { KeyObject } from 'node:crypto';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { callDaemon } from '../control/client.ts';
import { CONTROL_SOCKET_NAME } from '../control/protocol.ts';
import { checkHealth, type HealthResult } from './health-check.ts';
import { currentVersion, switchCurrent, unpackRelease } from './install-layout.ts';
import { verifyReleaseFile } from './release-file.ts';
import { ReleaseRefused } from './release-format.ts';
import type { ServiceManager } from './service-manager.ts';
import { appendHistory, takeRequest, writeProgress } from './upgrade-files.ts';
import type { UpgradeHistoryEntry, UpgradeProgress } from './upgrade-schema.ts';

export interface ApplyOptions {
  dataDir: string;
  installRoot: string;
  trustedKeys: readonly KeyObject[];
  /** This machine's arch (process.arch on the box). */
  arch: string;
  service: ServiceManager;
  /** How long a (re)started release has to pass every health check. */
  healthTimeoutMs: number;
  /** After passing, how long it must keep running without a crash restart; 0 skips settling. */
  settleMs: number;
  now?: () => Date;
  log?: (line: string) => void;
}

/** Takes the pending request and carries it out; undefined when there was none. Never throws for a bad release. */
export async function applyUpgrade(options: ApplyOptions): Promise<UpgradeHistoryEntry | undefined> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const { dataDir, installRoot } = options;
  const request = await takeRequest(dataDir);
  if (request === undefined) return undefined;
  const from = await currentVersion(installRoot);
  const entry: UpgradeHistoryEntry = { id: `${now().toISOString()}-${request.version}`, at: now().toISOString(), by: request.by, from, to: request.version, outcome: 'failed' };
  const progress = (phase: UpgradeProgress['phase']): Promise<void> => {
    log(`${request.version}: ${phase}`);
    return writeProgress(dataDir, { version: request.version, phase, at: now().toISOString() });
  };
  const incoming = join(installRoot, 'incoming');
  const copy = join(incoming, `${request.version}.sgrel`);
  try {
    await progress('verifying');
    await mkdir(incoming, { recursive: true, mode: 0o700 });
    await copyFile(request.file, copy);
    await rm(request.file, { force: true });
    const { manifest, head } = await verifyReleaseFile(copy, options.trustedKeys, { arch: options.arch, current: from, force: request.force });
    await progress('unpacking');
    await unpackRelease(installRoot, copy, head.payloadOffset, manifest);
    await rm(copy, { force: true });

    await progress('restarting');
    await switchCurrent(installRoot, manifest.version);
    await options.service.restart();
    await progress('health-check');
    let health = await checkHealth({ dataDir, version: manifest.version, timeoutMs: options.healthTimeoutMs, givenUp: () => options.service.failed() });
    if (health.ok && options.settleMs > 0) {
      await progress('settling');
      // Counted from now: a manual restart may reset the manager's count.
      health = await settle(options, manifest.version, await options.service.automaticRestarts());
    }
    entry.checks = health.checks;
    if (health.ok) {
      entry.outcome = 'installed';
    } else {
      entry.outcome = 'rolled-back';
      entry.reason = `the new release failed its health check (${describe(health)})`;
      if (from !== undefined) {
        await progress('rolling-back');
        await switchCurrent(installRoot, from);
        await options.service.restart();
        entry.restored = (await checkHealth({ dataDir, version: from, timeoutMs: options.healthTimeoutMs, givenUp: () => options.service.failed() })).ok;
      }
    }
  } catch (error) {
    entry.outcome = error instanceof ReleaseRefused ? 'refused' : 'failed';
    entry.reason = (error as Error).message;
    await rm(request.file, { force: true });
    await rm(copy, { force: true });
  }
  await appendHistory(dataDir, entry);
  await progress('done');
  log(`${request.version}: ${entry.outcome}${entry.reason ? `: ${entry.reason}` : ''}`);
  // The running daemon writes the outcome to its audit log (it owns state.db); one that does not
  // answer now audits it at its next start (upgrade-methods.ts).
  await callDaemon(join(dataDir, CONTROL_SOCKET_NAME), 'upgrade.record', undefined, 5000).catch(() => undefined);
  return entry;
}

const describe = (health: HealthResult): string =>
  Object.entries(health.checks).filter(([, v]) => v !== 'ok').map(([k, v]) => `${k}: ${v}`).join('; ');

/** Waits out the settling time, then: no crash restart in it, and still healthy. */
async function settle(options: ApplyOptions, version: string, restartsBefore: number | undefined): Promise<HealthResult> {
  await new Promise((resolve) => setTimeout(resolve, options.settleMs));
  const after = await options.service.automaticRestarts();
  const health = await checkHealth({ dataDir: options.dataDir, version, timeoutMs: Math.min(options.healthTimeoutMs, 10_000), givenUp: () => options.service.failed() });
  if (restartsBefore !== undefined && after !== undefined && after > restartsBefore) {
    return { ok: false, checks: { ...health.checks, control: `the daemon was restarted ${after - restartsBefore} time(s) after a crash while settling` } };
  }
  return health;
}
