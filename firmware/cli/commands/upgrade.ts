// `schoolgate upgrade`: install a signed release (through the running daemon, which checks it and
// hands it to the switcher), follow it, see the history, and `apply`, the switcher itself, which
// image/schoolgate-upgrade.service runs as root.
import { callDaemon, DaemonNotRunning } from '../../control/client.ts';
import { loadTrustedKeys } from '../../upgrade/release-file.ts';
import { applyUpgrade } from '../../upgrade/apply-upgrade.ts';
import { installRootOf, releaseKeysDirOf } from '../../upgrade/install-layout.ts';
import type { ReleaseManifest } from '../../upgrade/manifest-schema.ts';
import { systemdService } from '../../upgrade/service-manager.ts';
import { MAX_RELEASE_BYTES, RELEASE_FILE, type UpgradeOverview } from '../../upgrade/upgrade-methods.ts';
import type { UpgradeHistoryEntry } from '../../upgrade/upgrade-schema.ts';
import { inert } from '../format-alerts.ts';
import { dataDirHelp, dataDirOf, dataDirOption, EXIT, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { progressLines, uploadFile } from '../upload-file.ts';

const seconds = (values: OptionValues, name: string, fallback: number): number => {
  const given = values[name];
  if (given === undefined) return fallback;
  const n = Number(given);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} "${String(given)}" is not a number of seconds`);
  return n * 1000;
};

export function formatEntry(e: UpgradeHistoryEntry): string {
  const what = { installed: 'installed', 'rolled-back': 'ROLLED BACK', refused: 'refused', failed: 'FAILED' }[e.outcome];
  const restored = e.restored === undefined ? '' : e.restored ? '; the previous release answers again' : '; the previous release did NOT answer: check the box';
  return inert(`${e.at.slice(0, 19).replace('T', ' ')}  ${e.from ?? '(none)'} -> ${e.to}  ${what} by ${e.by}${e.reason ? `: ${e.reason}` : ''}${restored}`);
}

export function formatOverview(o: UpgradeOverview): string {
  const lines = [`Running ${o.running}${o.installed && o.installed !== o.running ? ` (current points at ${o.installed})` : ''}`];
  if (o.pending) lines.push(`Waiting to be applied: ${o.pending.version}, requested by ${o.pending.by} at ${o.pending.at}`);
  if (o.progress && o.progress.phase !== 'done') lines.push(`In progress: ${o.progress.version}, ${o.progress.phase} (since ${o.progress.at})`);
  lines.push('', o.history.length === 0 ? 'No upgrades yet.' : 'Upgrades, newest first:', ...o.history.map((e) => `  ${formatEntry(e)}`));
  return `${lines.join('\n')}\n`;
}

/**
 * An upgrade's outcome as an exit status. A rollback after which the previous release answers
 * again is the switcher doing its job, not a box in trouble: its own status, 5, which
 * image/schoolgate-upgrade.service counts as success (SuccessExitStatus=5), so the unit is not
 * left failed and the box "degraded" for weeks over a release it turned away (the attention list,
 * /metrics and syslog report the rollback). Anything else not installed is a failure: an upgrade
 * that failed part-way, a previous release that did not answer again, a request the switcher
 * refused itself (the daemon refuses every bad file first: one that reached the switcher went
 * round it).
 */
export function upgradeExit(entry: UpgradeHistoryEntry): number {
  if (entry.outcome === 'installed') return EXIT.ok;
  return entry.outcome === 'rolled-back' && entry.restored === true ? EXIT.rolledBack : EXIT.failure;
}

/**
 * A call that failed because the daemon is stopping or starting, as it does while the switcher
 * restarts it: a call in flight when it stops has its connection closed without an answer.
 */
export function restarting(error: unknown): boolean {
  const { message, code } = error as NodeJS.ErrnoException;
  return error instanceof DaemonNotRunning || /did not answer|closed the connection without answering/.test(message) || code === 'ECONNRESET' || code === 'EPIPE';
}

/** Follows the switcher until the history holds this request's outcome (the daemon restarts meanwhile). */
async function follow(socket: string, version: string, since: string, timeoutMs: number): Promise<UpgradeHistoryEntry | undefined> {
  const deadline = Date.now() + timeoutMs;
  let lastPhase = '';
  while (Date.now() < deadline) {
    try {
      const o = await callDaemon(socket, 'upgrade.status', undefined, 5000) as UpgradeOverview;
      const done = o.history.find((e) => e.to === version && e.at >= since);
      if (done) return done;
      const phase = o.progress?.version === version ? o.progress.phase : 'waiting for the switcher';
      if (phase !== lastPhase) process.stdout.write(`  ${phase}\n`);
      lastPhase = phase;
    } catch (error) {
      if (!restarting(error)) throw error;
      if (lastPhase !== 'restarting') process.stdout.write('  the daemon is restarting\n');
      lastPhase = 'restarting';
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return undefined;
}

export const upgrade: Command = {
  summary: 'install a signed release with automatic rollback (FILE | status | apply)',
  usage: `schoolgate upgrade FILE [--force] [--no-wait]
schoolgate upgrade status [--json]
schoolgate upgrade apply [--install-root DIR] [--keys DIR] [--health-timeout S] [--settle S]

  FILE     a release file (npm run release): the daemon checks its signature against the keys in
           /etc/schoolgate/release-keys/, its arch and version, then the switcher installs it beside
           the running release, restarts into it and checks DNS, the control socket and the web UI;
           if any fails it switches back by itself. Follows it to the outcome unless --no-wait.
  status   the running version, an upgrade in progress, and every upgrade with its outcome
  apply    the switcher (root; run by schoolgate-upgrade.service when a request is left)

  FILE and apply exit 0 when the release is installed, 5 when it was rolled back and the previous
  release answers again, 1 for anything else (refused, failed, or the previous release silent).

      --force               allow going back to an older release, or reinstalling the running one
      --no-wait             return once the request is accepted
      --install-root DIR    where releases/ and current are (default $SCHOOLGATE_INSTALL_ROOT or /opt/schoolgate)
      --keys DIR            trusted public keys (default $SCHOOLGATE_RELEASE_KEYS or /etc/schoolgate/release-keys)
      --health-timeout S    how long a restarted release has to answer (default 90)
      --settle S            how long it must then run without a crash restart (default 120)
      --json                machine-readable output
${dataDirHelp}`,
  options: {
    ...dataDirOption, force: { type: 'boolean' }, 'no-wait': { type: 'boolean' }, json: { type: 'boolean' },
    'install-root': { type: 'string' }, keys: { type: 'string' }, 'health-timeout': { type: 'string' }, settle: { type: 'string' },
  },
  positionals: true,
  async run(values, positionals) {
    const [action] = positionals;
    if (positionals.length !== 1 || action === undefined) throw new UsageError('upgrade needs a release FILE, status or apply');
    const socket = socketOf(values);
    if (action === 'status') {
      const overview = await callDaemon(socket, 'upgrade.status') as UpgradeOverview;
      process.stdout.write(values.json ? `${JSON.stringify(overview, null, 2)}\n` : formatOverview(overview));
      return EXIT.ok;
    }
    if (action === 'apply') {
      const entry = await applyUpgrade({
        dataDir: dataDirOf(values),
        installRoot: installRootOf(values['install-root'] as string | undefined),
        trustedKeys: await loadTrustedKeys(releaseKeysDirOf(values.keys as string | undefined)),
        arch: process.arch,
        service: systemdService(),
        healthTimeoutMs: seconds(values, 'health-timeout', 90_000),
        settleMs: seconds(values, 'settle', 120_000),
        log: (line) => process.stdout.write(`${line}\n`),
      });
      if (entry === undefined) process.stdout.write('no upgrade requested\n');
      return entry === undefined ? EXIT.ok : upgradeExit(entry);
    }
    const since = new Date().toISOString();
    const id = await uploadFile({
      socket, method: 'upgrade.upload', file: action, maxBytes: MAX_RELEASE_BYTES, what: RELEASE_FILE,
      onProgress: progressLines((line) => process.stdout.write(`${line}\n`)),
    });
    const accepted = await callDaemon(socket, 'upgrade.request', { upload: id, force: values.force === true }, 120_000, { onProgress: (line) => process.stdout.write(`  ${line}\n`) }) as { manifest: ReleaseManifest; from: string };
    const m = accepted.manifest;
    process.stdout.write(inert(`Release ${m.version} for ${m.arch} (built ${m.builtAt} from ${m.commit.slice(0, 12)}, signed by key ${m.keyId}) accepted; replacing ${accepted.from}.`) + '\n');
    if (m.notes) process.stdout.write(`${m.notes.split('\n').map((l) => `  | ${inert(l)}`).join('\n')}\n`);
    if (values['no-wait']) return EXIT.ok;
    const outcome = await follow(socket, m.version, since, 15 * 60_000);
    if (outcome === undefined) {
      process.stdout.write('No outcome after 15 minutes: see schoolgate upgrade status and journalctl -u schoolgate-upgrade\n');
      return EXIT.failure;
    }
    process.stdout.write(`${formatEntry(outcome)}\n`);
    return upgradeExit(outcome);
  },
};
