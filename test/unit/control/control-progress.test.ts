// Progress lines before an answer, and the larger request limit one method may declare, over a
// real Unix socket; and `lists.update` wired to a feed updater through registerListMethods.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Type } from 'typebox';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Config } from '../../../firmware/config/schema.ts';
import { callDaemon } from '../../../firmware/control/client.ts';
import { MAX_REQUEST_BYTES } from '../../../firmware/control/protocol.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import type { FeedUpdateOptions, FeedUpdater, FeedUpdateResult } from '../../../firmware/rules/feeds/types.ts';
import { registerListMethods } from '../../../firmware/rules/list-methods.ts';
import type { ListsReport } from '../../../firmware/rules/lists-manager.ts';

let dir: string;
let path: string;
let server: ControlServer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schoolgate-progress-'));
  path = join(dir, 'control.sock');
  server = new ControlServer(silentLogger());
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

it('delivers progress lines in order, before the result', async () => {
  server.register<{ n: number }>('count', {
    params: Type.Object({ n: Type.Integer() }),
    handle: async ({ n }, _caller, context) => {
      for (let i = 1; i <= n; i++) {
        context.progress(`step ${i} of ${n}`);
        await new Promise((r) => setImmediate(r));
      }
      return { done: n };
    },
  });
  await server.listen(path);
  const seen: string[] = [];
  const result = await callDaemon(path, 'count', { n: 3 }, 10_000, { onProgress: (line) => seen.push(line) });
  expect(seen).toEqual(['step 1 of 3', 'step 2 of 3', 'step 3 of 3']);
  expect(result).toEqual({ done: 3 });
});

it('a method may take a larger request; every other method keeps the small limit', async () => {
  server.register<{ text: string }>('big', { params: Type.Object({ text: Type.String() }), maxRequestBytes: 8 * MAX_REQUEST_BYTES, handle: ({ text }) => text.length });
  server.register<{ text: string }>('small', { params: Type.Object({ text: Type.String() }), handle: ({ text }) => text.length });
  await server.listen(path);
  const text = 'é'.repeat(MAX_REQUEST_BYTES); // two bytes each in UTF-8: twice the small limit
  expect(await callDaemon(path, 'big', { text })).toBe(text.length);
  await expect(callDaemon(path, 'small', { text })).rejects.toMatchObject({ code: 'too-large' });
  expect(await callDaemon(path, 'small', { text: 'ok' })).toBe(2);
});

it('lists.update runs the feed updater with the caller, streams its progress and audits the results', async () => {
  const calls: FeedUpdateOptions[] = [];
  const feeds: FeedUpdater = {
    async update(options = {}) {
      calls.push(options);
      options.onProgress?.('ads: downloading');
      options.onProgress?.('ads: 120 entries, swapped in');
      const result: FeedUpdateResult = { list: 'ads', outcome: 'updated', at: new Date(0).toISOString(), entries: 120, badLines: 0 };
      return [result];
    },
    status: () => [],
  };
  const audited: Array<{ actor: string; action: string; subject?: string; details?: unknown }> = [];
  const report: ListsReport = { lists: [], compileMs: 0, names: 0, loadedAt: null, fromCache: false, files: [] };
  const config = { lists: [{ id: 'ads', name: 'Ads', category: 'ads', file: 'ads.txt', format: 'adblock', enabled: true, feed: { url: 'https://lists.example/ads.txt', schedule: '17 3 * * *' } }], policies: [] } as unknown as Config;
  registerListMethods(server, {
    config: { current: config, update: () => { throw new Error('not expected'); } },
    lists: { report, listsDir: dir, reload: () => Promise.resolve(report) },
    audit: { append: (entry) => audited.push(entry) },
    logger: silentLogger(),
    feeds,
  });
  await server.listen(path);
  const seen: string[] = [];
  const result = await callDaemon(path, 'lists.update', { only: 'ads' }, 10_000, { onProgress: (l) => seen.push(l) });
  expect(seen).toEqual(['ads: downloading', 'ads: 120 entries, swapped in']);
  expect(result).toMatchObject({ results: [{ list: 'ads', outcome: 'updated' }] });
  expect(calls[0]).toMatchObject({ only: 'ads', actor: `ssh:${userInfo().username}` });
  expect(audited).toEqual([expect.objectContaining({ actor: `ssh:${userInfo().username}`, action: 'lists.update', subject: 'ads' })]);
  await expect(callDaemon(path, 'lists.update', { only: 'nothing' })).rejects.toMatchObject({ code: 'unknown-list' });
  expect(calls).toHaveLength(1);
});
