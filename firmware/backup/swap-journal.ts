// The swap of a restore (and of its undo) survives a power cut. Every rename it will make is
// written to DATA_DIR/restore-journal.json and fsynced before the first one; the journal is removed
// only after the last. A journal found later means a swap was cut part-way: recoverSwap reverses
// the renames that were done (found on disk: see there), so the data directory is exactly as before the restore, which can then be
// run again. Reversing rather than finishing: the staged files were never fsynced, the data
// directory's own were, so going back is the only direction known to be whole after a cut.
import { lstat, mkdir, readFile, rename as fsRename, rm, unlink as fsUnlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { fsyncDirectory, writeFileDurably } from '../config/durable-file.ts';
import { BackupError } from './archive.ts';

export const SWAP_JOURNAL = 'restore-journal.json';

const SwapPlan = Type.Object({
  moves: Type.Array(Type.Object({ from: Type.String({ minLength: 1 }), to: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
}, { additionalProperties: false });
export type SwapPlan = Static<typeof SwapPlan>;

/** The file-system calls a swap makes: tests pass ones that stop part-way, as a power cut would. */
export interface SwapOps {
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}
const REAL_OPS: SwapOps = { rename: fsRename, unlink: fsUnlink };

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return false;
    throw err;
  });
}

/** Makes the plan's renames, journaled; on an error it reverses what it did and throws. */
export async function journaledSwap(dataDir: string, plan: SwapPlan, ops: SwapOps = REAL_OPS): Promise<void> {
  const journal = join(dataDir, SWAP_JOURNAL);
  if (await exists(journal)) throw new BackupError(`${journal} is there: an earlier restore was cut short; run schoolgate backup undo (or start the daemon) to put it back first`);
  await writeFileDurably(journal, `${JSON.stringify(plan)}\n`);
  const done: SwapPlan['moves'] = [];
  try {
    for (const move of plan.moves) {
      await ops.rename(move.from, move.to);
      done.push(move);
    }
    for (const dir of new Set(plan.moves.flatMap((m) => [dirname(m.from), dirname(m.to)]))) await fsyncDirectory(dir);
    await ops.unlink(journal);
    await fsyncDirectory(dataDir);
  } catch (error) {
    try {
      for (const move of done.reverse()) await ops.rename(move.to, move.from);
      await ops.unlink(journal);
    } catch {
      // Left to recoverSwap, from the journal, at the next start or undo.
    }
    throw new BackupError(`the restore could not replace the data directory's files (${(error as Error).message}); they were put back as they were`);
  }
}

/** After a cut: reverses a journaled swap's done renames and removes the journal. Returns whether there was one. */
export async function recoverSwap(dataDir: string): Promise<boolean> {
  const journal = join(dataDir, SWAP_JOURNAL);
  let text: string;
  try {
    text = await readFile(journal, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    plan = undefined;
  }
  // The journal is written durably before the first rename: one that does not parse was cut while
  // being written, so no rename was made.
  if (Value.Check(SwapPlan, plan)) {
    // The renames done are a prefix of the plan (a rollback in the process, if it ran part-way
    // before the cut, undid a suffix of them). Each move's target was free when its turn came
    // (a fresh directory aside, or a data-directory entry already moved aside), so a move is done
    // exactly when its target exists; its source cannot tell, as a later move may refill it.
    let done = 0;
    while (done < plan.moves.length && await exists(plan.moves[done]!.to)) done++;
    for (const move of plan.moves.slice(0, done).reverse()) {
      if (await exists(move.from)) continue;
      // A staging directory may have been removed by a failed restore's clean-up after the cut.
      await mkdir(dirname(move.from), { recursive: true, mode: 0o700 });
      await fsRename(move.to, move.from);
    }
    for (const dir of new Set(plan.moves.flatMap((m) => [dirname(m.from), dirname(m.to)]))) if (await exists(dir)) await fsyncDirectory(dir);
  }
  await rm(journal, { force: true });
  await fsyncDirectory(dataDir);
  return true;
}

/** Called by the daemon before it opens anything in the data directory: a half-swapped one must not be read, let alone seeded with defaults. */
export async function recoverSwapAtStart(dataDir: string, logger: { warn(fields: object, message: string): void }): Promise<void> {
  if (await recoverSwap(dataDir)) {
    logger.warn({ dataDir }, 'a restore (or its undo) was cut short part-way: its renames were reversed, so the data directory is as it was before it began; run the restore again');
  }
}
