// Upgrade with rollback end to end, on real releases staged from this checkout (one x64 stage,
// varied per release) and a real daemon run from ROOT/current by a supervisor that really restarts
// it: a good release is installed and answers; a release whose daemon exits at start, and one that
// starts but never answers, are rolled back by the switcher and the previous release answers again.
// Each upgrade is preceded by a backup named for it; `status` shows the release and the last upgrade.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packRelease } from '../../../scripts/release/pack.ts';
import { nodeBinary } from '../../../scripts/release/node-binary.ts';
import { setReleaseVersion, stageRelease } from '../../../scripts/release/stage.ts';
import type { BackupListResult } from '../../../firmware/backup/backup-schema.ts';
import { storePassphrase } from '../../../firmware/backup/passphrase-file.ts';
import { callDaemon } from '../../../firmware/control/client.ts';
import type { DaemonStatus } from '../../../firmware/status.ts';
import { applyUpgrade } from '../../../firmware/upgrade/apply-upgrade.ts';
import { checkHealth } from '../../../firmware/upgrade/health-check.ts';
import { currentVersion, switchCurrent, unpackRelease } from '../../../firmware/upgrade/install-layout.ts';
import { verifyReleaseFile } from '../../../firmware/upgrade/release-file.ts';
import type { UpgradeOverview } from '../../../firmware/upgrade/upgrade-methods.ts';
import { runCli, testConfig } from '../../support/daemon.ts';
import { superviseCurrent, type Supervisor } from '../../support/supervisor.ts';
import { askUdp, startTestUpstream, type TestUpstream } from '../../support/upstream.ts';

describe('schoolgate upgrade: install, health check, rollback', { timeout: 180_000 }, () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  let dir: string;
  let tree: string;
  let root: string;
  let dataDir: string;
  let upstream: TestUpstream;
  let supervisor: Supervisor | undefined;
  let dns: { address: string; port: number };

  /** Packs the stage as `version`, with `fault` applied to its launcher (restored afterwards). */
  async function release(version: string, fault?: string): Promise<string> {
    setReleaseVersion(tree, version);
    const launcher = join(tree, 'bin/schoolgate');
    const original = readFileSync(launcher);
    if (fault !== undefined) writeFileSync(launcher, `#!/bin/sh\n${fault}\n`);
    try {
      const out = join(dir, `${version}.sgrel`);
      await packRelease({ stageDir: tree, out, privateKey, compression: 'none', minFromVersion: '1.0.0' });
      return out;
    } finally {
      writeFileSync(launcher, original);
    }
  }

  /** `schoolgate upgrade FILE --no-wait` against the running daemon, then the switcher as the path unit would run it. */
  async function upgradeTo(file: string) {
    const accepted = await runCli(['upgrade', file, '--no-wait', '--data-dir', dataDir], { timeoutMs: 120_000 });
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    return applyUpgrade({
      dataDir, installRoot: root, trustedKeys: [publicKey], arch: 'x64', service: supervisor!,
      healthTimeoutMs: 20_000, settleMs: 0,
    });
  }

  const status = async () => callDaemon(join(dataDir, 'control.sock'), 'status') as Promise<DaemonStatus>;
  const backupsMade = async () => (await callDaemon(join(dataDir, 'control.sock'), 'backup.list', {}) as BackupListResult).backups.map((b) => b.beforeUpgradeTo);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'schoolgate-upgrade-'));
    tree = join(dir, 'tree');
    root = join(dir, 'opt');
    dataDir = join(dir, 'data');
    stageRelease({ arch: 'x64', out: tree, version: '1.0.0' });
    // Each release here carries a link to the one cached Node rather than 120 MB of it: the test
    // packs, uploads, copies and unpacks four of them on a shared 2-core machine.
    rmSync(join(tree, 'node/bin/node'));
    symlinkSync(nodeBinary('x64'), join(tree, 'node/bin/node'));
    const keysDir = join(dir, 'keys');
    mkdirSync(keysDir);
    writeFileSync(join(keysDir, 'test.pem'), publicKey.export({ type: 'spki', format: 'pem' }));

    // The first install, as the image does it: unpack and point current at it.
    const first = await release('1.0.0');
    const { head, manifest } = await verifyReleaseFile(first, [publicKey], { arch: 'x64' });
    await unpackRelease(root, first, head.payloadOffset, manifest);
    await switchCurrent(root, '1.0.0');
    rmSync(first);

    upstream = await startTestUpstream('192.0.2.90');
    const config = await testConfig(upstream);
    dns = config.dns.listen[0]!;
    mkdirSync(dataDir, { mode: 0o750 });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify(config), { mode: 0o600 });
    // Every upgrade is preceded by a backup, made with the stored passphrase.
    await storePassphrase(dataDir, 'kept in the school safe');
    supervisor = superviseCurrent(root, dataDir, { SCHOOLGATE_INSTALL_ROOT: root, SCHOOLGATE_RELEASE_KEYS: keysDir, SCHOOLGATE_LOG_LEVEL: 'warn' });
    const health = await checkHealth({ dataDir, version: '1.0.0', timeoutMs: 30_000 });
    if (!health.ok) throw new Error(`1.0.0 did not come up: ${JSON.stringify(health.checks)}\n${supervisor.output()}`);
  }, 240_000);

  afterAll(async () => {
    await supervisor?.stop();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('installs a good release: current moves, the new daemon answers DNS and reports its version, and it is audited', async () => {
    const entry = await upgradeTo(await release('1.1.0'));
    expect(entry, supervisor!.output()).toMatchObject({ outcome: 'installed', from: '1.0.0', to: '1.1.0', by: expect.stringMatching(/^ssh:/), checks: { dns: 'ok', control: 'ok', web: 'ok' } });
    expect(await currentVersion(root)).toBe('1.1.0');
    const after = await status();
    expect(after.version).toBe('1.1.0');
    expect(after.release).toMatchObject({ version: '1.1.0', arch: 'x64', installed: true, installedAt: entry!.at, lastUpgrade: { id: entry!.id, outcome: 'installed' } });
    expect(await backupsMade()).toEqual(['1.1.0']);
    expect((await askUdp(dns, 'example.com', { from: '127.20.0.5' })).answers?.[0]).toMatchObject({ data: '192.0.2.90' });
    const audit = await callDaemon(join(dataDir, 'control.sock'), 'audit.list', { action: 'upgrade.*' }) as { entries: Array<{ action: string; subject: string }> };
    expect(audit.entries.map((e) => `${e.action} ${e.subject}`)).toEqual(['upgrade.request 1.1.0', `upgrade.result ${entry!.id}`]);
  });

  it('rolls back a release whose daemon exits at start; the previous release answers again', async () => {
    const entry = await upgradeTo(await release('1.2.0', 'echo "this release is broken" >&2; exit 1'));
    expect(entry).toMatchObject({ outcome: 'rolled-back', from: '1.1.0', to: '1.2.0', restored: true });
    expect(entry?.reason).toMatch(/failed its health check/);
    expect(await currentVersion(root)).toBe('1.1.0');
    const after = await status();
    expect(after.version).toBe('1.1.0');
    expect(after.release?.lastUpgrade).toMatchObject({ id: entry!.id, to: '1.2.0', outcome: 'rolled-back', reason: expect.stringMatching(/failed its health check/) });
    expect(await backupsMade()).toEqual(['1.2.0', '1.1.0']);
    expect((await askUdp(dns, 'example.com', { from: '127.20.0.5' })).answers?.[0]).toMatchObject({ data: '192.0.2.90' });
  });

  it('rolls back a release that starts but never answers, and the history shows every attempt', async () => {
    const entry = await upgradeTo(await release('1.3.0', 'exec sleep 600'));
    expect(entry).toMatchObject({ outcome: 'rolled-back', from: '1.1.0', to: '1.3.0', restored: true, checks: { dns: expect.stringMatching(/no DNS answer/) } });
    expect(await currentVersion(root)).toBe('1.1.0');
    expect((await askUdp(dns, 'example.com', { from: '127.20.0.5' })).answers?.[0]).toMatchObject({ data: '192.0.2.90' });
    const shown = await runCli(['upgrade', 'status', '--data-dir', dataDir]);
    expect(shown.stdout).toMatch(/^Running 1\.1\.0/);
    expect(shown.stdout).toMatch(/1\.1\.0 -> 1\.3\.0 {2}ROLLED BACK by ssh:\S+: the new release failed its health check .*; the previous release answers again/);
    expect(shown.stdout).toMatch(/1\.0\.0 -> 1\.1\.0 {2}installed/);
    const overview = await callDaemon(join(dataDir, 'control.sock'), 'upgrade.status') as UpgradeOverview;
    expect(overview.history.map((e) => `${e.to} ${e.outcome}`)).toEqual(['1.3.0 rolled-back', '1.2.0 rolled-back', '1.1.0 installed']);
  });

  it('refuses, through the daemon, a downgrade, with nothing changed', async () => {
    // The daemon refuses on the manifest before anything else: a tiny tree of an older version is enough.
    const small = join(dir, 'small');
    mkdirSync(small);
    writeFileSync(join(small, 'VERSION'), JSON.stringify({ version: '1.0.5', commit: 'test', arch: 'x64', builtAt: '2026-12-07T00:00:00.000Z' }));
    const older = join(dir, '1.0.5.sgrel');
    await packRelease({ stageDir: small, out: older, privateKey, compression: 'none', minFromVersion: '1.0.0' });
    const refused = await runCli(['upgrade', older, '--no-wait', '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the release is 1\.0\.5, older than the running 1\.1\.0/);
    const overview = await callDaemon(join(dataDir, 'control.sock'), 'upgrade.status') as UpgradeOverview;
    expect(overview.pending).toBeUndefined();
    expect(await currentVersion(root)).toBe('1.1.0');
  });
});
