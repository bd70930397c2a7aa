// A power cut during a restore's (or an undo's) renames: the swap is stopped after each of its
// steps in turn — every rename, and the journal's removal — with nothing after the stop allowed
// to run (the in-process rollback fails as a dead process's would). The next undo (or start)
// then reverses it from the journal: the data directory is byte for byte as before the swap.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackup } from '../../../firmware/backup/create.ts';
import { previousStates, restoreBackup, undoRestore } from '../../../firmware/backup/restore.ts';
import { recoverSwap, SWAP_JOURNAL, type SwapOps } from '../../../firmware/backup/swap-journal.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { serializeConfig } from '../../../firmware/config/load.ts';
import { auditHeadNow } from '../../../firmware/monitor/reports/records-export.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

const PASSPHRASE = 'correct horse battery staple';
const SCRYPT = { N: 2 ** 14, r: 8, p: 1 };
let clock = Date.parse('2026-12-07T02:30:00.000Z');
const now = (): Date => new Date(clock += 1000);

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The data directory's own files: what a restore must leave exactly as it was when it does not finish. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (rel === 'restore-previous' || rel.startsWith('.restore-') || rel === 'backups') continue;
      if (e.isDirectory()) await walk(p);
      else out[rel] = createHash('sha256').update(await readFile(p)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

class PowerCut extends Error {}

/** Real renames and unlinks until `steps` have been made; after that every call fails, the rollback's too. */
function cutAfter(steps: number): { ops: SwapOps; made: () => number } {
  let made = 0;
  const step = async <T>(run: () => Promise<T>): Promise<T> => {
    if (made >= steps) throw new PowerCut(`the power went after step ${steps}`);
    made++;
    return run();
  };
  return { ops: { rename: (a, b) => step(() => rename(a, b)), unlink: (p) => step(() => unlink(p)) }, made: () => made };
}

async function setUp(): Promise<{ dataDir: string; file: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'schoolgate-swap-'));
  dirs.push(dataDir);
  const config = defaultConfig();
  config.site.name = 'Oakfield Primary';
  await writeFile(join(dataDir, 'config.json'), serializeConfig(config), { mode: 0o600 });
  await mkdir(join(dataDir, 'lists'));
  await writeFile(join(dataDir, 'lists', 'custom.txt'), 'games.example\n');
  await writeFile(join(dataDir, 'voucher.key'), 'ab'.repeat(32));
  const state = StateDatabase.open(join(dataDir, 'state.db'), { now });
  state.audit.append({ actor: 'ssh:tech', action: 'device.name', subject: 'x', details: { name: 'in the backup' } });
  const made = await createBackup({
    dataDir, configFile: join(dataDir, 'config.json'), snapshotState: (f) => state.snapshotTo(f), auditHead: () => auditHeadNow(state.audit), version: '0.9.0', now, scrypt: SCRYPT,
  }, { passphrase: PASSPHRASE, actor: 'ssh:tech', keep: 5 });
  // Changed after the backup, so the restore visibly replaces something.
  state.audit.append({ actor: 'ssh:tech', action: 'device.name', subject: 'x', details: { name: 'after the backup' } });
  state.close();
  await writeFile(join(dataDir, 'lists', 'custom.txt'), 'games.example\nmore.example\n');
  return { dataDir, file: made.entry.path };
}

describe('a restore cut part-way', () => {
  it('is reversed from its journal by the next undo, at every step of the swap', async () => {
    const { dataDir, file } = await setUp();
    const before = await tree(dataDir);
    // A full run first, to count the steps (then undone, which is itself checked).
    const counting = cutAfter(Number.MAX_SAFE_INTEGER);
    await restoreBackup({ dataDir, file, passphrase: PASSPHRASE, actor: 'ssh:tech', source: 'count', now, swapOps: counting.ops });
    const steps = counting.made();
    expect(steps).toBeGreaterThanOrEqual(9);
    const restored = await tree(dataDir);
    expect(restored).not.toEqual(before);
    await undoRestore({ dataDir, previousDir: (await previousStates(dataDir))[0], now });
    expect(await tree(dataDir)).toEqual(before);

    for (let k = 0; k < steps; k++) {
      await expect(restoreBackup({ dataDir, file, passphrase: PASSPHRASE, actor: 'ssh:tech', source: `cut ${k}`, now, swapOps: cutAfter(k).ops }), `cut after ${k}`)
        .rejects.toThrow(/could not replace the data directory's files/);
      expect((await readdir(dataDir)).includes(SWAP_JOURNAL), `cut after ${k}`).toBe(true);
      // A second restore on top of a cut one is refused until it is put back.
      await expect(restoreBackup({ dataDir, file, passphrase: PASSPHRASE, actor: 'ssh:tech', source: 'again', now }), `cut after ${k}`).rejects.toThrow(/cut short/);
      const undone = await undoRestore({ dataDir, previousDir: (await previousStates(dataDir))[0], now });
      expect(undone.recovered, `cut after ${k}`).toBe(true);
      expect(await tree(dataDir), `cut after ${k}`).toEqual(before);
      expect((await readdir(dataDir)).includes(SWAP_JOURNAL), `cut after ${k}`).toBe(false);
    }
    // What each cut left aside holds nothing to put back, so undo never swaps an empty state in:
    // the only state aside is the restored one the first undo kept.
    expect(await previousStates(dataDir)).toHaveLength(1);
  });

  it('an undo cut part-way is reversed too, back to the restored state', async () => {
    const { dataDir, file } = await setUp();
    await restoreBackup({ dataDir, file, passphrase: PASSPHRASE, actor: 'ssh:tech', source: 'usb', now });
    const restored = await tree(dataDir);
    const counting = cutAfter(Number.MAX_SAFE_INTEGER);
    const previous = (await previousStates(dataDir))[0];
    await undoRestore({ dataDir, previousDir: previous, now, swapOps: counting.ops });
    await undoRestore({ dataDir, previousDir: (await previousStates(dataDir))[0], now });
    expect(await tree(dataDir)).toEqual(restored);
    for (let k = 0; k < counting.made(); k++) {
      await expect(undoRestore({ dataDir, previousDir: (await previousStates(dataDir))[0], now, swapOps: cutAfter(k).ops }), `cut after ${k}`).rejects.toThrow(/could not replace/);
      expect((await undoRestore({ dataDir, previousDir: (await previousStates(dataDir))[0], now })).recovered, `cut after ${k}`).toBe(true);
      expect(await tree(dataDir), `cut after ${k}`).toEqual(restored);
    }
  });

  it('a journal cut while it was written (no rename made yet) is removed, changing nothing', async () => {
    const { dataDir } = await setUp();
    const before = await tree(dataDir);
    await writeFile(join(dataDir, SWAP_JOURNAL), '{"moves":[{"from":"');
    expect(await recoverSwap(dataDir)).toBe(true);
    expect(await recoverSwap(dataDir)).toBe(false);
    expect(await tree(dataDir)).toEqual(before);
  });
});
