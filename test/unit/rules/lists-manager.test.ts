// ListsManager compiles in a worker thread: the result must be the table an in-thread compile
// gives, and a compiler that dies, hangs or is stopped must leave the lists in service alone.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config, ListSource } from '../../../firmware/config/schema.ts';
import { MatchResult, type Matcher } from '../../../firmware/dns/matcher/matcher.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { compileLists, ListReadError } from '../../../firmware/rules/load-lists.ts';
import { ListCompilerError, ListsManager, type ListsTarget } from '../../../firmware/rules/lists-manager.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-lists-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const CRASHING = new URL('./fixtures/crashing-compiler.ts', import.meta.url);

function source(id: string, extra: Partial<ListSource> = {}): ListSource {
  return { id, name: id, category: id === 'iwf' ? 'illegal' : 'social', format: 'domains', file: `${id}.txt`, enabled: true, ...extra } as ListSource;
}

function config(lists: ListSource[]): Config {
  return { policies: [], lists } as unknown as Config;
}

class Target implements ListsTarget {
  swaps: { matcher: Matcher; listIds: readonly string[] }[] = [];
  setLists(matcher: Matcher, listIds: readonly string[]): void {
    this.swaps.push({ matcher, listIds });
  }
}

function blocked(matcher: Matcher, name: string): boolean {
  const out = new MatchResult();
  matcher.match(name, out);
  return out.blockList >= 0 || out.restricted;
}

describe('ListsManager with its compiler thread', () => {
  it('swaps in exactly the table an in-thread compile builds, with the statuses', async () => {
    await writeFile(join(dir, 'social.txt'), '# social\nchatter.test\nBAD LINE\n*.wild.test\nUpper.Example.\n');
    await writeFile(join(dir, 'games.txt'), '0.0.0.0 games.test play.test\n');
    await writeFile(join(dir, 'iwf.txt'), 'abuse.test\n');
    const lists = [source('social'), source('games', { format: 'hosts', category: 'gaming' }), source('iwf', { restricted: true })];
    const target = new Target();
    const manager = new ListsManager({ target, listsDir: dir, seed: 99, logger: silentLogger() });
    const report = await manager.reload(config(lists));

    const local = await compileLists(config(lists), { listsDir: dir, seed: 99 });
    expect(target.swaps).toHaveLength(1);
    const { matcher, listIds } = target.swaps[0]!;
    expect(listIds).toEqual(['social', 'games', 'iwf']);
    expect(Buffer.from(matcher.toBuffer()).equals(Buffer.from(local.matcher.toBuffer()))).toBe(true);
    expect(report.lists).toEqual(local.statuses);
    expect(report.names).toBe(local.matcher.size);
    expect(report.lists[0]).toMatchObject({ entries: 3, badLines: 1 });
    for (const name of ['www.chatter.test', 'a.wild.test', 'upper.example', 'play.test', 'abuse.test']) expect(blocked(matcher, name), name).toBe(true);
    expect(blocked(matcher, 'wild.test')).toBe(false);
    expect(matcher.categories.ids()).toEqual(local.matcher.categories.ids());
  });

  it('brings a missing list back as a ListReadError with every status, and swaps nothing', async () => {
    await writeFile(join(dir, 'social.txt'), 'chatter.test\n');
    const target = new Target();
    const manager = new ListsManager({ target, listsDir: dir, seed: 1, logger: silentLogger() });
    const error = await manager.reload(config([source('social'), source('iwf', { restricted: true })])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListReadError);
    expect((error as ListReadError).statuses.map((s) => [s.id, s.error === undefined])).toEqual([['social', true], ['iwf', false]]);
    expect(target.swaps).toHaveLength(0);
    expect(manager.report.loadedAt).toBeNull();
  });

  it.each(['throw', 'exit'])('a compiler thread that dies (%s) rejects the reload and keeps the lists in service', async (how) => {
    await writeFile(join(dir, 'social.txt'), 'chatter.test\n');
    const target = new Target();
    const good = new ListsManager({ target, listsDir: dir, seed: 1, logger: silentLogger() });
    const before = await good.reload(config([source('social')]));
    const crashing = new ListsManager({ target, listsDir: how, seed: 1, logger: silentLogger(), compilerUrl: CRASHING });
    await expect(crashing.reload(config([source('social')]))).rejects.toBeInstanceOf(ListCompilerError);
    expect(target.swaps).toHaveLength(1);
    expect(crashing.report.loadedAt).toBeNull();
    // The queue goes on after a failure.
    await expect(crashing.reload(config([source('social')]))).rejects.toBeInstanceOf(ListCompilerError);
    expect(good.report).toBe(before);
  });

  it('says which shipped list does not exist, as an in-thread compile does', async () => {
    const lists = [source('adult', { file: 'builtin:adult', category: 'adult' })];
    const manager = new ListsManager({ target: new Target(), listsDir: dir, seed: 99, logger: silentLogger() });
    const error = await manager.reload(config(lists)).catch((e: unknown) => e);
    const local = await compileLists(config(lists), { listsDir: dir, seed: 99 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListReadError);
    expect((error as ListReadError).statuses[0]!.error).toMatch(/^cannot read builtin:adult: "builtin:adult": no shipped category "adult" has a starter list/);
    expect((error as ListReadError).statuses).toEqual((local as ListReadError).statuses);
  });

  it('abandons a compile that never answers, and the next reload runs', async () => {
    const target = new Target();
    const manager = new ListsManager({ target, listsDir: 'hang', seed: 1, logger: silentLogger(), compilerUrl: CRASHING, compileTimeoutMs: 300 });
    await expect(manager.reload(config([]))).rejects.toThrow(/did not finish/);
    await expect(manager.reload(config([]))).rejects.toThrow(/did not finish/);
    expect(target.swaps).toHaveLength(0);
  });

  it('close() stops a compile in progress and refuses later reloads', async () => {
    const target = new Target();
    const manager = new ListsManager({ target, listsDir: 'hang', seed: 1, logger: silentLogger(), compilerUrl: CRASHING });
    const pending = manager.reload(config([])).catch((e: unknown) => e);
    await manager.close();
    expect(await pending).toBeInstanceOf(ListCompilerError);
    await expect(manager.reload(config([]))).rejects.toThrow(/stopped/);
    expect(target.swaps).toHaveLength(0);
  });
});
