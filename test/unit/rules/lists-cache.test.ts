// The compiled-list cache: a restart with unchanged inputs loads the table instead of compiling;
// any change to what went in, and any damage to the cache, means a compile — never a stale or
// corrupt table in service.
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config, ListSource } from '../../../firmware/config/schema.ts';
import { MatcherReleasedError, MatchResult, type Matcher } from '../../../firmware/dns/matcher/matcher.ts';
import { CACHE_BIN, CACHE_META } from '../../../firmware/rules/compiled-cache.ts';
import { ListsManager, type ListsTarget } from '../../../firmware/rules/lists-manager.ts';

let dir: string;
let listsDir: string;
let cacheDir: string;
let warnings: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schoolgate-cache-'));
  listsDir = join(dir, 'lists');
  cacheDir = join(dir, 'compiled');
  warnings = [];
  await rm(listsDir, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(listsDir));
});
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const lists: ListSource[] = [
  { id: 'social', name: 'Social', category: 'social', file: 'social.txt', format: 'domains', enabled: true },
  { id: 'ads', name: 'Ads', category: 'ads', file: 'ads.txt', format: 'adblock', enabled: true },
];
const config = (l: ListSource[] = lists): Config => ({ policies: [], lists: l }) as unknown as Config;

class Target implements ListsTarget {
  matcher: Matcher | undefined;
  setLists(matcher: Matcher): void { this.matcher = matcher; }
}

/** A new manager on the same directories: what a daemon restart builds. */
function start(seed = 7): { manager: ListsManager; target: Target } {
  const target = new Target();
  const logger = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(line); } });
  return { manager: new ListsManager({ target, listsDir, seed, logger, cacheDir }), target };
}

async function loadOnce(seed = 7) {
  const { manager, target } = start(seed);
  const report = await manager.reload(config());
  await manager.close(); // waits for the cache to be written
  return { report, target };
}

function blocks(matcher: Matcher | undefined, name: string): boolean {
  const out = new MatchResult();
  matcher!.match(name, out);
  return out.blockList >= 0;
}

beforeEach(async () => {
  await writeFile(join(listsDir, 'social.txt'), 'chatter.test\nBAD LINE\n');
  await writeFile(join(listsDir, 'ads.txt'), '||ads.test^\n/^track[0-9]+\\./\n');
});

describe('the compiled-list cache', () => {
  it('a restart with nothing changed serves the cached table: same table, statuses and extras', async () => {
    const cold = await loadOnce();
    expect(cold.report.fromCache).toBe(false);
    // Transferred, not shared: V8 frees a replaced ArrayBuffer table promptly, a shared one only
    // at a full collection that an idle daemon may not run for hours (+28 MB a 1M-name reload).
    expect(cold.target.matcher!.isShared).toBe(false);
    const warm = await loadOnce();
    expect(warm.report.fromCache).toBe(true);
    expect(Buffer.from(warm.target.matcher!.toBuffer()).equals(Buffer.from(cold.target.matcher!.toBuffer()))).toBe(true);
    expect(warm.report.lists).toEqual(cold.report.lists);
    expect(warm.report.lists[0]).toMatchObject({ badLines: 1, entries: 1 });
    const meta = JSON.parse(await readFile(join(cacheDir, CACHE_META), 'utf8'));
    expect(meta.extras.regexes).toEqual([expect.objectContaining({ pattern: '^track[0-9]+\\.', list: 1 })]);
    expect(warnings.join('')).not.toContain('cache ignored');
  });

  it('a changed list file, list configuration or seed means a compile', async () => {
    await loadOnce();
    await writeFile(join(listsDir, 'social.txt'), 'chatter.test\nnewcomer.test\n');
    const changed = await loadOnce();
    expect(changed.report.fromCache).toBe(false);
    expect(blocks(changed.target.matcher, 'newcomer.test')).toBe(true);
    expect((await loadOnce()).report.fromCache).toBe(true);
    expect((await loadOnce(8)).report.fromCache).toBe(false);
    const { manager } = start(8);
    const renamed = await manager.reload(config([{ ...lists[0]!, name: 'Social networks' }, lists[1]!]));
    await manager.close();
    expect(renamed.fromCache).toBe(false);
  });

  it('a file touched without a change is rehashed and the cache still used', async () => {
    await loadOnce();
    const later = new Date(Date.now() + 60_000);
    await utimes(join(listsDir, 'social.txt'), later, later);
    const touched = await loadOnce();
    expect(touched.report.fromCache).toBe(true);
    expect(touched.report.files.find((f) => f.id === 'social')!.modifiedAt).toBe(later.toISOString());
  });

  it.each([
    ['a flipped byte in the table', async () => {
      const bin = await readFile(join(cacheDir, CACHE_BIN));
      bin[bin.length - 8] = bin[bin.length - 8]! ^ 0xff;
      await writeFile(join(cacheDir, CACHE_BIN), bin);
    }],
    // Another table of the same length: its header names a different checksum from the description's.
    ['a table the description does not name', async () => {
      const bin = await readFile(join(cacheDir, CACHE_BIN));
      bin[16] = bin[16]! ^ 0xff;
      await writeFile(join(cacheDir, CACHE_BIN), bin);
    }],
    ['a truncated table', async () => {
      const bin = await readFile(join(cacheDir, CACHE_BIN));
      await writeFile(join(cacheDir, CACHE_BIN), bin.subarray(0, 100));
    }],
    ['a description that is not JSON', async () => { await writeFile(join(cacheDir, CACHE_META), '{"schema": 1, '); }],
  ])('%s is ignored with a warning, compiled over, and rebuilt', async (_what, damage) => {
    const cold = await loadOnce();
    await damage();
    const after = await loadOnce();
    expect(after.report.fromCache).toBe(false);
    expect(warnings.join('')).toContain('compiled list cache ignored');
    expect(Buffer.from(after.target.matcher!.toBuffer()).equals(Buffer.from(cold.target.matcher!.toBuffer()))).toBe(true);
    expect((await loadOnce()).report.fromCache).toBe(true);
  });

  it('a reload during the last compile\'s cache write compiles at once, and the cache ends up holding the later table', async () => {
    const { manager, target } = start();
    await manager.reload(config());
    const first = target.matcher!;
    // The first table's cache is still being written: this reload neither waits for it nor reads it.
    await writeFile(join(listsDir, 'social.txt'), 'chatter.test\nlater.test\n');
    const second = await manager.reload(config());
    expect(second.fromCache).toBe(false);
    expect(blocks(target.matcher, 'later.test')).toBe(true);
    await manager.close();
    // The replaced table is freed, but only after its own cache write (which read it) was done.
    expect(() => blocks(first, 'chatter.test')).toThrow(MatcherReleasedError);
    expect(warnings.join('')).not.toContain('cache not written');
    const restarted = await loadOnce();
    expect(restarted.report.fromCache).toBe(true);
    expect(blocks(restarted.target.matcher, 'later.test')).toBe(true);
    expect(warnings.join('')).not.toContain('cache ignored');
  });

  it('a compiler that dies after handing its table over leaves the table in service and writes no cache', async () => {
    const answering = join(dir, 'answer-then-exit');
    await import('node:fs/promises').then((fs) => fs.mkdir(answering));
    await writeFile(join(answering, 'social.txt'), 'chatter.test\n');
    await writeFile(join(answering, 'ads.txt'), '||ads.test^\n');
    const target = new Target();
    const logger = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(line); } });
    const compilerUrl = new URL('./fixtures/crashing-compiler.ts', import.meta.url);
    const manager = new ListsManager({ target, listsDir: answering, seed: 7, logger, cacheDir, compilerUrl });
    const first = await manager.reload(config());
    expect(first.fromCache).toBe(false);
    expect(blocks(target.matcher, 'www.chatter.test')).toBe(true);
    // Without the thread's word that the files did not change meanwhile, the same inputs compile again.
    const swapped = target.matcher;
    await manager.reload(config());
    expect(target.matcher).not.toBe(swapped);
    await manager.close();
    await expect(readFile(join(cacheDir, CACHE_BIN))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a reload whose inputs have not changed swaps nothing; a forced one compiles', async () => {
    const { manager, target } = start();
    await manager.reload(config());
    const first = target.matcher;
    const again = await manager.reload(config());
    expect(target.matcher).toBe(first);
    expect(again.fromCache).toBe(false);
    await manager.reload(config(), { force: true });
    expect(target.matcher).not.toBe(first);
    await manager.close();
    expect(() => first!.explain('chatter.test')).toThrow(MatcherReleasedError);
    expect(blocks(target.matcher, 'chatter.test')).toBe(true);
  });
});
