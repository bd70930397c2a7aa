// npm run test:service, the upgrade's half: the switcher (image/schoolgate-upgrade.path and
// .service, installed by image/install.sh) under the container's real systemd, with its sandbox.
// Four release files are packed from the one staged tree the container was installed from (its
// version changed each time; staging again would take minutes): a good one, one whose launcher
// exits 1, one whose launcher says READY=1 and exits 0 (the unit goes inactive, not failed), and
// one signed by a key the box does not trust. Each goes in as a technician sends it,
// `schoolgate upgrade FILE`, and the path unit starts the switcher; the untrusted one is also left
// as a request straight in the data directory, as a compromised daemon could, so the switcher's
// own check as root is what refuses it.
import { spawn } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { readHistory } from '../../firmware/upgrade/upgrade-files.ts';
import type { UpgradeHistoryEntry, UpgradeRequest } from '../../firmware/upgrade/upgrade-schema.ts';
import { packRelease } from '../release/pack.ts';
import { setReleaseVersion } from '../release/stage.ts';
import { PUPIL_DEVICE, PUPIL_GATEWAY, sandboxRefusals, SETTLE_PROOF_SECONDS } from './proof-config.ts';

/** The release the container is installed with, and the four sent to it. */
export const PROOF_VERSIONS = { first: '1.0.0', good: '1.1.0', broken: '1.2.0', untrusted: '1.3.0', stops: '1.4.0' } as const;

/**
 * How long the switcher may take to give up on a release whose daemon stopped, from its health
 * check's start to its rollback: the health check's own limit is 90 s, which it waited out in full
 * before it read an inactive unit as stopped.
 */
export const STOPPED_NOTICED_SECONDS = 30;

const DATA_DIR = '/var/lib/schoolgate';
const SWITCHER = 'schoolgate-upgrade.service';

/** The release files, as paths inside the container. */
export interface ProofReleases { good: string; broken: string; stops: string; untrusted: string }

/**
 * Packs the four releases from `tree` (staged as PROOF_VERSIONS.first and already installed) into
 * `outDir`, which the container sees as `inContainer`. The good, the broken and the stopping one
 * are signed with the box's key, gzip-compressed as shipped; the broken one's launcher prints why
 * and exits 1, so its daemon never starts; the stopping one's launcher becomes systemd-notify,
 * which sends READY=1 as the unit's main process and exits 0, so systemd does not restart it
 * (Restart=on-failure) and the unit is left inactive. The untrusted one is a tree of its VERSION
 * only: the signature is checked before anything else is read, so its payload never matters.
 */
export async function packProofReleases(tree: string, outDir: string, inContainer: string, keys: { trusted: string; untrusted: string }): Promise<ProofReleases> {
  mkdirSync(outDir, { recursive: true });
  const key = createPrivateKey(readFileSync(keys.trusted));
  const pack = async (stageDir: string, version: string, privateKey = key): Promise<string> => {
    await packRelease({ stageDir, out: join(outDir, `${version}.sgrel`), privateKey, minFromVersion: PROOF_VERSIONS.first });
    return `${inContainer}/${version}.sgrel`;
  };
  setReleaseVersion(tree, PROOF_VERSIONS.good);
  const good = await pack(tree, PROOF_VERSIONS.good);
  const launcher = join(tree, 'bin/schoolgate');
  const original = readFileSync(launcher);
  const withLauncher = async (version: string, script: string): Promise<string> => {
    setReleaseVersion(tree, version);
    writeFileSync(launcher, script);
    try {
      return await pack(tree, version);
    } finally {
      writeFileSync(launcher, original);
    }
  };
  const broken = await withLauncher(PROOF_VERSIONS.broken, '#!/bin/sh\necho "schoolgate: this release is broken on purpose (the service proof)" >&2\nexit 1\n');
  const stops = await withLauncher(PROOF_VERSIONS.stops,
    '#!/bin/sh\necho "schoolgate: this release says it is ready, then exits 0 (the service proof)" >&2\nexec systemd-notify --ready\n');
  const small = mkdtempSync(join(outDir, '.untrusted-'));
  try {
    const info = JSON.parse(readFileSync(join(tree, 'VERSION'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(small, 'VERSION'), JSON.stringify({ ...info, version: PROOF_VERSIONS.untrusted }));
    const untrusted = await pack(small, PROOF_VERSIONS.untrusted, createPrivateKey(readFileSync(keys.untrusted)));
    return { good, broken, stops, untrusted };
  } finally {
    rmSync(small, { recursive: true, force: true });
  }
}

export interface Ran { status: number | null; stdout: string; stderr: string }

/** What the proof needs of the running container (run.ts). */
export interface Container {
  /** The container's root directory on this machine. */
  root: string;
  inside(argv: string[]): Ran;
  /** As inside(), without blocking this process's event loop (for commands that take minutes). */
  insideAsync(argv: string[], timeoutMs: number): Promise<Ran>;
  show(unit: string, props: string[]): Record<string, string>;
  waitFor(what: () => boolean, ms: number): Promise<boolean>;
  check(ok: boolean, what: string, detail?: string): boolean;
}

export async function proveUpgrades(c: Container, releases: ProofReleases): Promise<void> {
  const hostDataDir = join(c.root, DATA_DIR.slice(1));
  const current = (): string => c.inside(['readlink', '/opt/schoolgate/current']).stdout.trim();
  const history = (): Promise<UpgradeHistoryEntry[]> => readHistory(hostDataDir);
  const outcomeOf = async (version: string): Promise<UpgradeHistoryEntry | undefined> => (await history()).findLast((e) => e.to === version);
  const switcherJournal = (): string => c.inside(['journalctl', '-u', SWITCHER, '-u', 'schoolgate-upgrade.path', '-o', 'cat', '--no-pager']).stdout;
  const switcherStarts = (): number => switcherJournal().split('\n').filter((l) => /^Starting .*upgrade switcher/.test(l)).length;
  const dig = (): string => c.inside(['dig', '+short', '+time=3', '+tries=2', '-b', PUPIL_DEVICE, '@127.0.0.1', 'dns.google', 'A']).stdout.trim();
  /** The version the running daemon reports and the Node binary its main process runs. */
  const daemon = (): { version?: string; exe: string; pid: string } => {
    const pid = c.show('schoolgate', ['MainPID']).MainPID ?? '0';
    const status = JSON.parse(c.inside(['schoolgate', 'status', '--json', '--data-dir', DATA_DIR]).stdout || '{}') as { version?: string };
    return { version: status.version, exe: c.inside(['readlink', `/proc/${pid}/exe`]).stdout.trim(), pid };
  };
  const audit = (action: string): Array<{ action: string; subject: string; details?: Record<string, unknown> }> =>
    (JSON.parse(c.inside(['schoolgate', 'audit', '--action', action, '--json', '--data-dir', DATA_DIR]).stdout || '{"entries":[]}') as { entries: Array<{ action: string; subject: string; details?: Record<string, unknown> }> }).entries;
  const send = (file: string): Promise<Ran> => c.insideAsync(['schoolgate', 'upgrade', file, '--data-dir', DATA_DIR], 15 * 60_000);
  /** How long the switcher's last run took, from systemd's own timestamps. */
  const switchTook = (): string => {
    const t = c.show(SWITCHER, ['ExecMainStartTimestampMonotonic', 'ExecMainExitTimestampMonotonic']);
    return `${((Number(t.ExecMainExitTimestampMonotonic) - Number(t.ExecMainStartTimestampMonotonic)) / 1e6).toFixed(1)} s`;
  };
  /** Seconds between two of the switcher's progress lines for a version (its journal's own timestamps), or undefined. */
  const phaseGap = (version: string, from: string, to: string): number | undefined => {
    const lines = c.inside(['journalctl', '-u', SWITCHER, '-o', 'short-unix', '--no-pager']).stdout.split('\n');
    const at = (phase: string): number | undefined => {
      const line = lines.findLast((l) => l.endsWith(`: ${version}: ${phase}`));
      return line === undefined ? undefined : Number(line.split(' ')[0]);
    };
    const a = at(from);
    const b = at(to);
    return a === undefined || b === undefined ? undefined : b - a;
  };
  const lastLine = (ran: Ran): string => (ran.stdout.trim().split('\n').at(-1) ?? '') + (ran.stderr.trim() ? ` ${ran.stderr.trim()}` : '');

  const path = c.show('schoolgate-upgrade.path', ['ActiveState', 'SubState', 'UnitFileState']);
  const keys = c.inside(['ls', '/etc/schoolgate/release-keys']).stdout.trim().split('\n').filter(Boolean);
  c.check(path.ActiveState === 'active' && path.SubState === 'waiting' && keys.length > 0 && current() === `releases/${PROOF_VERSIONS.first}`,
    'the upgrade switcher\'s path unit waits for a request, with a release key trusted',
    `${path.ActiveState} (${path.SubState}), ${path.UnitFileState}; keys: ${keys.join(', ')}; current -> ${current()}`);

  // 0. No backup passphrase stored yet: the backup before the switch cannot be made, so the
  //    daemon refuses the upgrade with the reason, and nothing reaches the switcher.
  const startsBefore = switcherStarts();
  const unbacked = await send(releases.good);
  c.check(unbacked.status !== 0 && /no backup could be made/.test(unbacked.stderr) && switcherStarts() === startsBefore && current() === `releases/${PROOF_VERSIONS.first}`,
    `schoolgate upgrade ${PROOF_VERSIONS.good} with no backup passphrase stored: refused before anything is switched`, lastLine(unbacked));
  writeFileSync(join(c.root, 'root/proof-passphrase'), 'correct horse battery staple\n', { mode: 0o600 });
  const stored = c.inside(['schoolgate', 'backup', 'passphrase', '--passphrase-file', '/root/proof-passphrase', '--data-dir', DATA_DIR]);
  c.check(stored.status === 0, 'schoolgate backup passphrase stores the passphrase the nightly backup and the backup before an upgrade use', lastLine(stored));

  // 1. A good release: a backup first, then the path unit starts the switcher, which moves
  //    `current`, restarts the daemon into it, health-checks it and (after settling) keeps it.
  const sent = await send(releases.good);
  const good = await outcomeOf(PROOF_VERSIONS.good);
  console.log(`     ${sent.stdout.trim().split('\n').join('\n     ')}`);
  const now = daemon();
  c.check(sent.status === 0 && good?.outcome === 'installed' && switcherStarts() === startsBefore + 1,
    `schoolgate upgrade ${PROOF_VERSIONS.good}: the path unit started the switcher once, which installed it (settling ${SETTLE_PROOF_SECONDS} s in the proof's drop-in)`,
    `exit ${sent.status}${sent.stderr.trim() ? ` (${sent.stderr.trim()})` : ''}; history: ${good?.outcome} ${JSON.stringify(good?.checks ?? null)}; ${SWITCHER} Result=${c.show(SWITCHER, ['Result']).Result}, ran ${switchTook()}`);
  c.check(current() === `releases/${PROOF_VERSIONS.good}` && now.version === PROOF_VERSIONS.good && now.exe === `/opt/schoolgate/releases/${PROOF_VERSIONS.good}/node/bin/node`,
    `current -> releases/${PROOF_VERSIONS.good}, and the daemon runs from it`, `current -> ${current()}; status says ${now.version}; pid ${now.pid} runs ${now.exe}`);
  const backups = c.inside(['ls', join(DATA_DIR, 'backups')]).stdout.split('\n').filter((f) => f.includes(`before-upgrade-to-${PROOF_VERSIONS.good}`));
  c.check(backups.length === 1, `the backup made before upgrading to ${PROOF_VERSIONS.good} is in the data directory's backups`, backups.join(', ') || 'none');
  const answer = dig();
  c.check(answer === PUPIL_GATEWAY, `the ${PROOF_VERSIONS.good} daemon answers DNS`, `dns.google -> ${answer || 'no answer'}`);

  // 2. A broken release: its daemon exits 1 at every start; the switcher gives up on it and
  //    moves `current` back by itself.
  const broken = await send(releases.broken);
  console.log(`     ${broken.stdout.trim().split('\n').join('\n     ')}`);
  const rolled = await outcomeOf(PROOF_VERSIONS.broken);
  const back = daemon();
  c.check(broken.status !== 0 && rolled?.outcome === 'rolled-back' && rolled.restored === true,
    `schoolgate upgrade ${PROOF_VERSIONS.broken} (its daemon exits 1): rolled back by the switcher, the previous release answers again`,
    `exit ${broken.status}${broken.stderr.trim() ? ` (${broken.stderr.trim()})` : ''}; the switcher ran ${switchTook()} (Result=${c.show(SWITCHER, ['Result']).Result}); history: ${rolled?.outcome}, restored ${rolled?.restored}: ${rolled?.reason}`);
  const again = dig();
  c.check(current() === `releases/${PROOF_VERSIONS.good}` && back.version === PROOF_VERSIONS.good && back.exe === `/opt/schoolgate/releases/${PROOF_VERSIONS.good}/node/bin/node` && again === PUPIL_GATEWAY,
    `current -> releases/${PROOF_VERSIONS.good} again, its daemon answers DNS`, `current -> ${current()}; status says ${back.version}; pid ${back.pid} runs ${back.exe}; dns.google -> ${again || 'no answer'}`);
  const results = audit('upgrade.result');
  const audited = results.find((e) => e.subject === rolled?.id);
  c.check(audited?.details?.outcome === 'rolled-back' && typeof audited.details.reason === 'string' && /health check/.test(audited.details.reason),
    'the audit log records the rollback and why', audited ? `upgrade.result ${audited.subject}: ${JSON.stringify(audited.details).slice(0, 300)}` : `no upgrade.result for it among ${results.length}`);

  // 2b. A release whose daemon says READY=1 and then exits 0: systemd does not restart it and does
  //     not call it failed, the unit is simply inactive. The switcher sees that at once (no job
  //     queued to start it again) instead of waiting out its 90 s health check, and rolls back.
  const stops = await send(releases.stops);
  console.log(`     ${stops.stdout.trim().split('\n').join('\n     ')}`);
  const stopped = await outcomeOf(PROOF_VERSIONS.stops);
  const waited = phaseGap(PROOF_VERSIONS.stops, 'health-check', 'rolling-back');
  const unitAfter = c.show('schoolgate', ['ActiveState', 'SubState']);
  c.check(stops.status !== 0 && stopped?.outcome === 'rolled-back' && stopped.restored === true && waited !== undefined && waited < STOPPED_NOTICED_SECONDS
    && current() === `releases/${PROOF_VERSIONS.good}` && daemon().version === PROOF_VERSIONS.good && unitAfter.ActiveState === 'active' && dig() === PUPIL_GATEWAY,
  `schoolgate upgrade ${PROOF_VERSIONS.stops} (its daemon exits 0 after READY=1, the unit left inactive): rolled back within ${STOPPED_NOTICED_SECONDS} s of the health check's start, ${PROOF_VERSIONS.good} answers DNS again`,
  `gave up after ${waited?.toFixed(1)} s, the switcher ran ${switchTook()}; history: ${stopped?.outcome}, restored ${stopped?.restored}: ${stopped?.reason}; schoolgate.service ${unitAfter.ActiveState} (${unitAfter.SubState})`);

  // 2c. Both rollbacks left the box well: the switcher's exit 5 is its unit's success, so it is not
  //     left failed and the box not "degraded" over a release it turned away.
  const afterRollbacks = c.show(SWITCHER, ['ActiveState', 'Result', 'ExecMainStatus']);
  const system = c.inside(['systemctl', 'is-system-running']).stdout.trim();
  c.check(broken.status === 5 && stops.status === 5 && afterRollbacks.ActiveState === 'inactive' && afterRollbacks.Result === 'success' && system === 'running',
    `after the rollbacks ${SWITCHER} is inactive, not failed (exit 5, SuccessExitStatus=5), and the box is not degraded`,
    `schoolgate upgrade exited ${broken.status} and ${stops.status}; ${SWITCHER} ${afterRollbacks.ActiveState}, Result=${afterRollbacks.Result}, exit ${afterRollbacks.ExecMainStatus}; systemctl is-system-running: ${system}`);

  // 3. A release signed by a key the box does not trust: the daemon refuses it as it arrives ...
  const pidBefore = c.show('schoolgate', ['MainPID']).MainPID;
  const startsBeforeRefusal = switcherStarts();
  const untrusted = await send(releases.untrusted);
  const refusedAudit = audit('upgrade.refused').at(-1);
  c.check(untrusted.status !== 0 && /does not trust/.test(untrusted.stderr) && refusedAudit?.subject === 'untrusted-key' && !existsSync(join(hostDataDir, 'upgrade/request.json'))
    && switcherStarts() === startsBeforeRefusal && current() === `releases/${PROOF_VERSIONS.good}`,
  `schoolgate upgrade ${PROOF_VERSIONS.untrusted} (signed by an untrusted key): refused by the daemon, audited, no request left, the switcher not started`, lastLine(untrusted));
  // ... and a request for it left in the data directory behind the daemon's back is refused by
  // the switcher's own check, as root, with nothing unpacked and nothing restarted.
  const request = leaveRequest(hostDataDir, join(c.root, releases.untrusted.slice(1)), PROOF_VERSIONS.untrusted);
  const seen = await c.waitFor(() => {
    const entries = readFileSync(join(hostDataDir, 'upgrade/history.jsonl'), 'utf8');
    return entries.includes(`"to":"${PROOF_VERSIONS.untrusted}"`) && c.show(SWITCHER, ['ActiveState']).ActiveState !== 'activating';
  }, 120_000);
  const refused = await outcomeOf(PROOF_VERSIONS.untrusted);
  c.check(seen && refused?.outcome === 'refused' && /does not trust/.test(refused.reason ?? '') && switcherStarts() === startsBeforeRefusal + 1
    && current() === `releases/${PROOF_VERSIONS.good}` && !existsSync(join(c.root, 'opt/schoolgate/releases', PROOF_VERSIONS.untrusted)) && !existsSync(request)
    && c.show('schoolgate', ['MainPID']).MainPID === pidBefore,
  'the same release left as a request in the data directory: the switcher (root) refuses it itself, nothing unpacked, the daemon not restarted',
  `history: ${refused?.outcome}: ${refused?.reason}`);
  // A request that went round the daemon's own check is not routine: the unit fails and says so.
  const afterRefusal = c.show(SWITCHER, ['ActiveState', 'Result', 'ExecMainStatus']);
  const degraded = c.inside(['systemctl', 'is-system-running']).stdout.trim();
  c.check(afterRefusal.ActiveState === 'failed' && afterRefusal.ExecMainStatus === '1' && degraded === 'degraded',
    `after refusing it ${SWITCHER} is failed (exit 1) and the box degraded until a person looks`,
    `${afterRefusal.ActiveState}, Result=${afterRefusal.Result}, exit ${afterRefusal.ExecMainStatus}; systemctl is-system-running: ${degraded}`);

  // 4. Nothing the switcher's sandbox refused, and how exposed systemd thinks it is.
  const journal = switcherJournal();
  const refusals = sandboxRefusals(journal);
  c.check(refusals.length === 0, `the switcher's journal shows nothing its sandbox refused (${switcherStarts()} runs)`, refusals.slice(0, 8).join('\n     '));
  if (process.env.SERVICE_PROOF_JOURNAL) console.log(journal);
  const security = c.inside(['systemd-analyze', 'security', SWITCHER, '--no-pager']).stdout;
  const score = /Overall exposure level for schoolgate-upgrade\.service: ([\d.]+ \S+)/.exec(security)?.[1];
  // Informational: the switcher is root by design (it unpacks root-owned trees and restarts a
  // unit); the lines systemd scores worst are printed with it.
  const worst = security.split('\n').filter((l) => /^✗/.test(l)).map((l) => l.replace(/\s{2,}/g, '  ').trim());
  c.check(score !== undefined, `systemd-analyze security ${SWITCHER}`, `${score}; ${worst.length} settings scored against it`);
  if (worst.length > 0) console.log(`     ${worst.join('\n     ')}`);
}

/** Writes an upgrade request as the daemon does (its file in upgrade/incoming/, owned by the daemon's user); returns the request's path. */
function leaveRequest(dataDir: string, file: string, version: string): string {
  const owner: Stats = statSync(dataDir);
  const incoming = join(dataDir, 'upgrade/incoming');
  const copy = join(incoming, `${version}.sgrel`);
  copyFileSync(file, copy);
  chownSync(copy, owner.uid, owner.gid);
  const request: UpgradeRequest = { version, file: `${DATA_DIR}/upgrade/incoming/${version}.sgrel`, force: false, by: 'service-proof (behind the daemon)', at: new Date().toISOString() };
  const path = join(dataDir, 'upgrade/request.json');
  writeFileSync(`${path}.proof`, `${JSON.stringify(request)}\n`, { mode: 0o640 });
  chownSync(`${path}.proof`, owner.uid, owner.gid);
  // Renamed into place: the path unit must never see half a request.
  renameSync(`${path}.proof`, path);
  return path;
}

/** `spawn` to completion with a time limit, for Container.insideAsync. */
export function runAsync(argv: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}
