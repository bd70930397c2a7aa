// The real `tc` and `ip link`, and finding out whether this kernel has CAKE. I/O only: what to
// run comes from render.ts.
import type { ToolResult, ToolRun } from '../tool-run.ts';
import type { ShapingEngine } from './plan.ts';

export { toolRunner, type ToolResult, type ToolRun } from '../tool-run.ts';

export class TcError extends Error {
  constructor(action: string, result: ToolResult) {
    super(`${action} failed (tc exit ${result.code}): ${result.stderr.trim() || result.stdout.trim() || 'no output'}`);
    this.name = 'TcError';
  }
}

/** Runs tc lines as one batch; stops at the first failure and throws it. */
export async function tcBatch(run: ToolRun, lines: readonly string[], action: string): Promise<void> {
  if (lines.length === 0) return;
  const result = await run(['tc', '-batch', '-'], `${lines.join('\n')}\n`);
  if (result.code !== 0) throw new TcError(action, result);
}

/** Runs removals that may find nothing to remove (`-force`: every line is tried). */
export async function tcRemove(run: ToolRun, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await run(['tc', '-force', '-batch', '-'], `${lines.join('\n')}\n`);
}

export interface EngineChoice {
  engine: ShapingEngine;
  why: string;
}

/** The throwaway link CAKE is tried on; a leftover from a probe cut short is removed first. */
export const CAKE_PROBE_LINK = 'sg-cake-probe';

/**
 * Tries CAKE on a throwaway veth pair (`ip link add … type veth`, removed at once; veth because
 * every kernel that runs containers has it, where some have no dummy driver): the daemon's
 * CAP_NET_ADMIN is enough and the kernel loads sch_cake on demand if it has it. Not in a scratch
 * namespace: the service's unit forbids creating namespaces (RestrictNamespaces=yes), a
 * user namespace being the largest kernel surface it could otherwise reach. Nothing on the box's
 * own interfaces is touched. Any answer other than "the kernel has no such qdisc" that stops the
 * try is reported, and HTB is used.
 */
export async function detectEngine(run: ToolRun): Promise<EngineChoice> {
  let result: ToolResult;
  try {
    await run(['ip', 'link', 'del', CAKE_PROBE_LINK]);
    // Deleting one end of a veth pair deletes both.
    const made = await run(['ip', 'link', 'add', CAKE_PROBE_LINK, 'type', 'veth', 'peer', 'name', `${CAKE_PROBE_LINK}-p`]);
    if (made.code !== 0) {
      return { engine: 'htb', why: `CAKE could not be tried (no probe link: ${made.stderr.trim().split('\n')[0] || `ip exit ${made.code}`}): HTB` };
    }
    try {
      result = await run(['tc', 'qdisc', 'add', 'dev', CAKE_PROBE_LINK, 'root', 'cake', 'bandwidth', '1mbit']);
    } finally {
      await run(['ip', 'link', 'del', CAKE_PROBE_LINK]);
    }
  } catch (err) {
    return { engine: 'htb', why: `CAKE could not be tried (${(err as Error).message}): HTB` };
  }
  if (result.code === 0) return { engine: 'cake', why: 'the kernel has CAKE (tried on a throwaway link): CAKE shapes each capped network, fair between its devices, under HTB\'s tree' };
  const said = result.stderr.trim().split('\n')[0] ?? '';
  if (/unknown/i.test(said)) return { engine: 'htb', why: 'this kernel has no CAKE (sch_cake): HTB with pfifo leaves' };
  return { engine: 'htb', why: `CAKE could not be tried (${said || `exit ${result.code}`}): HTB` };
}
