// Whether the last run stopped cleanly: a marker file in the data directory is written at start
// and removed at a clean stop, so finding it at start means the run before crashed, lost power or
// was killed.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const RUNNING_MARKER = 'running.json';

export interface PreviousRun {
  startedAt?: string;
  pid?: number;
}

/**
 * Writes this run's marker; returns the previous run's when it was still there (the previous run
 * did not stop cleanly), else undefined.
 */
export async function markRunning(dataDir: string, startedAt: Date): Promise<PreviousRun | undefined> {
  const file = join(dataDir, RUNNING_MARKER);
  let previous: PreviousRun | undefined;
  try {
    const text = await readFile(file, 'utf8');
    try {
      const parsed = JSON.parse(text) as PreviousRun;
      previous = { ...(typeof parsed.startedAt === 'string' ? { startedAt: parsed.startedAt } : {}), ...(typeof parsed.pid === 'number' ? { pid: parsed.pid } : {}) };
    } catch {
      // A marker cut short by the crash itself is still a marker.
      previous = {};
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await writeFile(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), pid: process.pid })}\n`, { mode: 0o640 });
  return previous;
}

/** A clean stop: the next start finds no marker. */
export async function markStopped(dataDir: string): Promise<void> {
  await rm(join(dataDir, RUNNING_MARKER), { force: true });
}
