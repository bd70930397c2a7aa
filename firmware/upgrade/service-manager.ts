// What restarts the daemon after `current` moves. On the box that is systemd; the tests use a
// supervisor of their own that really restarts a real daemon from the `current` symlink.
import { spawn } from 'node:child_process';

export interface ServiceManager {
  /** Restarts the service (it starts from `current`); resolves once the manager has started it. */
  restart(): Promise<void>;
  /**
   * A count of the times the manager restarted the service by itself after it failed (systemd's
   * NRestarts): read before and after a settling period, it shows a crash loop. Undefined if unknown.
   */
  automaticRestarts(): Promise<number | undefined>;
  /**
   * Whether the service's process has exited on its own since it was started (a crash or an exit
   * at start: systemd's "failed", or its wait before restarting it; or a clean exit that leaves it
   * stopped): no use waiting for it to answer.
   */
  failed(): Promise<boolean>;
}

/** What `systemctl show` says of the unit: its states, and the job queued on it ("" when none). */
export interface UnitState { ActiveState?: string; SubState?: string; Job?: string }

/**
 * systemd's states for a unit whose daemon has exited by itself. "failed" comes only once Restart=
 * gives up, which the gateway's unit never does for a daemon that exits at start (RestartSec=2
 * keeps it under the default 5 starts in 10 s), so the unit cycles through "auto-restart": each
 * time it is there, the process has just died and will be started again. A daemon that exits 0
 * after READY=1 is not restarted (Restart=on-failure): the unit goes "inactive" ("dead") and stays
 * there. So does a unit between the stop and the start of a restart, but then the restart's job
 * is still queued on it; with none, nothing will start it again.
 */
export function exitedByItself(state: UnitState): boolean {
  if (state.ActiveState === 'failed' || state.SubState === 'auto-restart') return true;
  return state.ActiveState === 'inactive' && state.Job === '';
}

function systemctl(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('systemctl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', (error) => resolve({ code: -1, stdout, stderr: error.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** systemd: `systemctl restart UNIT`; its crash restarts counted by the unit's NRestarts. */
export function systemdService(unit = 'schoolgate.service'): ServiceManager {
  return {
    async restart() {
      // --no-block: a Type=notify unit that never becomes ready would hold systemctl until its
      // start timeout; the health check decides, with its own time limit.
      const result = await systemctl(['restart', '--no-block', unit]);
      if (result.code !== 0) throw new Error(`systemctl restart ${unit} failed (${result.code}): ${result.stderr.trim()}`);
    },
    async failed() {
      const result = await systemctl(['show', '--property=ActiveState', '--property=SubState', '--property=Job', unit]);
      const state = Object.fromEntries(result.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      return result.code === 0 && exitedByItself(state);
    },
    async automaticRestarts() {
      const result = await systemctl(['show', '--property=NRestarts', '--value', unit]);
      const n = Number(result.stdout.trim());
      return result.code === 0 && Number.isInteger(n) ? n : undefined;
    },
  };
}
