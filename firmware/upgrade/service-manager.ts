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
  /** Whether the service has stopped for good (exited, or systemd gave up restarting it): no use waiting for it to answer. */
  failed(): Promise<boolean>;
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
      // "failed" only once Restart= has given up; while it retries the unit is "activating".
      return (await systemctl(['is-failed', '--quiet', unit])).code === 0;
    },
    async automaticRestarts() {
      const result = await systemctl(['show', '--property=NRestarts', '--value', unit]);
      const n = Number(result.stdout.trim());
      return result.code === 0 && Number.isInteger(n) ? n : undefined;
    },
  };
}
