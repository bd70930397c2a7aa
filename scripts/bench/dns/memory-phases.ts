// The daemon's resident memory across one operation (a list reload, a list import): what it
// was before, its peak while the operation ran, and what it kept. The peak is the kernel's own
// high-water mark (VmHWM), reset to the current RSS just before the operation
// (/proc/PID/clear_refs, "5", Linux 4.0+), so a spike between two samples is never missed and
// the peak of an earlier phase (the load, the peak rounds) is not counted.
import { readFileSync, writeFileSync } from 'node:fs';

export interface PhaseMemory {
  /** VmRSS just before, MB. */
  beforeMb: number;
  /** VmHWM while the operation ran, MB; NaN when the high-water mark could not be reset. */
  peakMb: number;
  /** VmRSS just after, MB. */
  afterMb: number;
  /** Why peakMb is NaN. */
  why?: string;
}

function statusKb(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]);
}

/** Resets the pid's VmHWM to its VmRSS; the reason it could not, or undefined. */
export function resetPeak(pid: number): string | undefined {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return undefined;
  } catch (error) {
    return `cannot reset the peak (/proc/${pid}/clear_refs: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; run as root or as the daemon's user)`;
  }
}

/**
 * Runs `operation` and returns the pid's memory around it with the operation's own result. Only
 * the one process (the daemon's threads are all in it), not its children.
 */
export async function acrossPhase<T>(pid: number, operation: () => Promise<T>): Promise<{ memory: PhaseMemory; result: T }> {
  const beforeMb = statusKb(pid, 'VmRSS') / 1024;
  const why = resetPeak(pid);
  const result = await operation();
  const peakMb = why === undefined ? statusKb(pid, 'VmHWM') / 1024 : Number.NaN;
  const afterMb = statusKb(pid, 'VmRSS') / 1024;
  return { memory: { beforeMb, peakMb, afterMb, ...(why === undefined ? {} : { why }) }, result };
}
