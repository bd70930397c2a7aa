// FeedService end to end on one machine: a real HTTP server on 127.0.0.1 as the feed host, real
// files in a temporary data directory, and the real list compiler as the reload (so "the compiler
// refuses" is a real refusal, not a pretend one).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Config, ListSource } from '../../../../firmware/config/schema.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { FeedRequestError, FeedService, type FeedServiceOptions } from '../../../../firmware/rules/feeds/feed-service.ts';
import { compileLists } from '../../../../firmware/rules/load-lists.ts';
import { FeedServer } from './feed-server.ts';

let dir: string;
let listsDir: string;
let server: FeedServer;
let services: FeedService[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schoolgate-feeds-'));
  listsDir = join(dir, 'lists');
  server = await FeedServer.start();
  services = [];
});
afterEach(async () => {
  for (const s of services) await s.stop();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const names = (n: number, prefix: string): string => Array.from({ length: n }, (_, i) => `${prefix}${i}.test`).join('\n') + '\n';
const sha = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

function feedList(id: string, extra: Partial<ListSource> = {}, feed: Partial<NonNullable<ListSource['feed']>> = {}): ListSource {
  return {
    id, name: id, category: 'social', format: 'domains', file: `${id}.txt`, enabled: true,
    feed: { url: server.url(`/${id}.txt`), schedule: '17 3 * * *', ...feed },
    ...extra,
  };
}

interface Harness {
  service: FeedService;
  config: Config;
  reloads: number;
}

/** A service whose reload compiles the configured lists from disk, as the daemon's does. */
function harness(lists: ListSource[], options: { timezone?: string; onUpdated?: FeedServiceOptions['onUpdated'] } = {}): Harness {
  const config = { site: { name: 'Test', timezone: options.timezone ?? 'Europe/London' }, policies: [], lists } as unknown as Config;
  const h: Harness = {
    config,
    reloads: 0,
    service: new FeedService({
      config: () => h.config,
      dataDir: dir,
      logger: silentLogger(),
      reload: async () => {
        h.reloads++;
        return compileLists(h.config, { listsDir, seed: 1 });
      },
      timeoutMs: 2_000,
      ...(options.onUpdated ? { onUpdated: options.onUpdated } : {}),
    }),
  };
  services.push(h.service);
  return h;
}

const copyOf = (id: string): Promise<string> => readFile(join(listsDir, `${id}.txt`), 'utf8');
const feedsJson = async (): Promise<{ feeds: Record<string, { etag: string | null; sha256: string | null; entries: number | null; lastAttempt: { outcome: string } }> }> =>
  JSON.parse(await readFile(join(listsDir, 'feeds.json'), 'utf8'));

describe('FeedService.update', () => {
  it('downloads a new feed, stores it with its metadata and rebuilds the lists once', async () => {
    const body = names(20, 'social');
    server.routes.set('/social.txt', { body, etag: '"s1"' });
    const h = harness([feedList('social')]);
    const progress: string[] = [];
    const [result] = await h.service.update({ onProgress: (l) => progress.push(l), actor: 'ssh:tech' });
    expect(result).toMatchObject({ list: 'social', outcome: 'updated', entries: 20, bytes: body.length, sha256: sha(body) });
    expect(await copyOf('social')).toBe(body);
    expect(h.reloads).toBe(1);
    expect((await feedsJson()).feeds.social).toMatchObject({ etag: '"s1"', sha256: sha(body), entries: 20, lastAttempt: { outcome: 'updated' } });
    expect(progress.join('\n')).toContain('social: new copy, 20 entries');
    expect(server.requestsTo('/social.txt')[0]?.headers['user-agent']).toMatch(/^Schoolgate\//);
    const [status] = h.service.status();
    expect(status).toMatchObject({ list: 'social', etag: '"s1"', sha256: sha(body), entries: 20, lastAttempt: { outcome: 'updated' } });
    expect(status?.lastSuccess).toBe(result?.at);
    // No temporary or backup files are left beside the copy.
    expect((await readdir(listsDir)).sort()).toEqual(['feeds.json', 'social.txt']);
  });

  it('tells onUpdated of each new copy, and not of an unchanged one', async () => {
    server.routes.set('/social.txt', { body: names(5, 's'), etag: '"s1"' });
    const told: string[] = [];
    const h = harness([feedList('social')], { onUpdated: (list, result) => told.push(`${list.id} ${result.outcome} ${result.entries}`) });
    await h.service.update();
    await h.service.update();
    expect(told).toEqual(['social updated 5']);
  });

  it('asks conditionally the second time, and a 304 neither rewrites nor reloads', async () => {
    server.routes.set('/social.txt', { body: names(5, 's'), etag: '"s1"' });
    const h = harness([feedList('social')]);
    await h.service.update();
    const [again] = await h.service.update();
    expect(again).toMatchObject({ outcome: 'unchanged', entries: 5 });
    expect(server.requestsTo('/social.txt')[1]?.headers['if-none-match']).toBe('"s1"');
    expect(h.reloads).toBe(1);
  });

  it('rebuilds the lists once after several feeds changed', async () => {
    for (const id of ['one', 'two', 'three']) server.routes.set(`/${id}.txt`, { body: names(10, id) });
    const h = harness(['one', 'two', 'three'].map((id) => feedList(id)));
    const results = await h.service.update();
    expect(results.map((r) => r.outcome)).toEqual(['updated', 'updated', 'updated']);
    expect(h.reloads).toBe(1);
  });

  it('keeps the last good copy byte for byte when the server fails, and says why', async () => {
    const good = names(10, 'good');
    server.routes.set('/social.txt', { body: good });
    const h = harness([feedList('social')]);
    await h.service.update();
    server.routes.set('/social.txt', { body: 'Internal error', status: 500 });
    const [failed] = await h.service.update();
    expect(failed).toMatchObject({ outcome: 'failed', error: 'the server answered 500 Internal Server Error' });
    expect(await copyOf('social')).toBe(good);
    expect(h.reloads).toBe(1);
    const [status] = h.service.status();
    expect(status?.lastAttempt).toMatchObject({ outcome: 'failed' });
    expect(status?.sha256).toBe(sha(good));
    expect(status?.lastSuccess).not.toBe(failed?.at);
  });

  it('refuses an HTML error page served as 200 and a truncated list, keeping the copy', async () => {
    const good = names(100, 'good');
    server.routes.set('/social.txt', { body: good });
    const h = harness([feedList('social')]);
    await h.service.update();
    server.routes.set('/social.txt', { body: '<html><body><h1>Please log in</h1></body></html>\n' });
    const [html] = await h.service.update();
    expect(html?.outcome).toBe('failed');
    expect(html?.error).toContain('looks like an HTML error page');
    server.routes.set('/social.txt', { body: names(30, 'good') });
    const [truncated] = await h.service.update();
    expect(truncated?.outcome).toBe('failed');
    expect(truncated?.error).toContain('30 entries against 100');
    expect(await copyOf('social')).toBe(good);
    expect(h.reloads).toBe(1);
    // A person who checked can accept the smaller list.
    const [forced] = await h.service.update({ force: true });
    expect(forced?.outcome).toBe('updated');
    expect(await copyOf('social')).toBe(names(30, 'good'));
  });

  it('puts every previous copy back when the lists cannot be rebuilt, and downloads again next time', async () => {
    const oldOne = names(10, 'old');
    server.routes.set('/one.txt', { body: oldOne, etag: '"o1"' });
    const h = harness([feedList('one')]);
    await h.service.update();
    // A second feed appears, and a hand-kept list whose file is missing: the compiler will refuse.
    h.config = { ...h.config, lists: [feedList('one'), feedList('two'), { id: 'manual', name: 'manual', category: 'social', format: 'domains', file: 'manual.txt', enabled: true }] };
    server.routes.set('/one.txt', { body: names(12, 'new'), etag: '"o2"' });
    server.routes.set('/two.txt', { body: names(5, 'two'), etag: '"t1"' });
    const results = await h.service.update();
    expect(h.reloads).toBe(2);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed']);
    expect(results[0]?.error).toContain('the previous copy is back in place');
    expect(results[0]?.error).toContain('manual.txt');
    expect(await copyOf('one')).toBe(oldOne);
    await expect(copyOf('two')).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(listsDir)).sort()).toEqual(['feeds.json', 'one.txt']);
    expect(h.service.status()[0]).toMatchObject({ etag: '"o1"', sha256: sha(oldOne) });

    // Once the hand-kept list is there, the same update goes through: not a 304 for content never in service.
    await writeFile(join(listsDir, 'manual.txt'), 'manual.test\n');
    const retry = await h.service.update();
    expect(retry.map((r) => r.outcome)).toEqual(['updated', 'updated']);
    expect(await copyOf('one')).toBe(names(12, 'new'));
  });

  it('reads a corrupt feeds.json as empty, reports it, and leaves the copy in place until a good download', async () => {
    const good = names(10, 'good');
    await mkdir(listsDir, { recursive: true });
    await writeFile(join(listsDir, 'social.txt'), good);
    await writeFile(join(listsDir, 'feeds.json'), '{"version": 1, "feeds": {"social": {"url": 4');
    server.routes.set('/social.txt', { body: good, etag: '"s1"' });
    const h = harness([feedList('social')]);
    const [same] = await h.service.update();
    // Unconditional (nothing to be conditional on), and the stored copy's own checksum says unchanged.
    expect(server.requestsTo('/social.txt')[0]?.headers['if-none-match']).toBeUndefined();
    expect(same).toMatchObject({ outcome: 'unchanged', entries: 10 });
    expect(h.service.problems()[0]).toContain('not valid JSON');
    expect(await copyOf('social')).toBe(good);
    expect((await feedsJson()).feeds.social).toMatchObject({ etag: '"s1"', sha256: sha(good) });
    // The shrink check still works from the copy itself.
    server.routes.set('/social.txt', { body: names(2, 'good') });
    const fresh = harness([feedList('social')]);
    await writeFile(join(listsDir, 'feeds.json'), '[]');
    const [shrunk] = await fresh.service.update();
    expect(shrunk?.error).toContain('2 entries against 10');
    expect(fresh.service.problems()[0]).toContain('not a feeds file');
  });

  it('refuses a download that does not match the pinned checksum', async () => {
    server.routes.set('/iwf.txt', { body: names(3, 'x') });
    const h = harness([feedList('iwf', { restricted: true, category: 'illegal' }, { sha256: sha('another body') })]);
    const [r] = await h.service.update();
    expect(r?.outcome).toBe('failed');
    expect(r?.error).toContain('not the pinned');
    await expect(copyOf('iwf')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(h.reloads).toBe(0);
  });

  it('updates only the feed asked for, and refuses to update what is not a feed', async () => {
    for (const id of ['one', 'two']) server.routes.set(`/${id}.txt`, { body: names(3, id) });
    const h = harness([feedList('one'), feedList('two'), feedList('off', { enabled: false }), { id: 'manual', name: 'm', category: 'social', format: 'domains', file: 'm.txt', enabled: true }]);
    const results = await h.service.update({ only: 'two' });
    expect(results.map((r) => r.list)).toEqual(['two']);
    await expect(h.service.update({ only: 'manual' })).rejects.toThrow(FeedRequestError);
    await expect(h.service.update({ only: 'off' })).rejects.toThrow('disabled');
    await expect(h.service.update({ only: 'nope' })).rejects.toThrow('there is no list "nope"');
  });
});

describe('FeedService schedules and new subscriptions', () => {
  it('fetchMissing downloads only feeds without a copy, and does not rebuild the lists', async () => {
    await mkdir(listsDir, { recursive: true });
    await writeFile(join(listsDir, 'have.txt'), names(3, 'have'));
    for (const id of ['have', 'new']) server.routes.set(`/${id}.txt`, { body: names(4, id) });
    const h = harness([feedList('have'), feedList('new')]);
    const results = await h.service.fetchMissing();
    expect(results.map((r) => [r.list, r.outcome])).toEqual([['new', 'updated']]);
    expect(h.reloads).toBe(0);
    expect(await copyOf('have')).toBe(names(3, 'have'));
    expect(await copyOf('new')).toBe(names(4, 'new'));
  });

  it('start schedules each feed in the site time zone, reports a bad schedule without losing the others, and fetches new feeds', async () => {
    server.routes.set('/good.txt', { body: names(3, 'good') });
    server.routes.set('/bad.txt', { body: names(3, 'bad') });
    const h = harness([feedList('good', {}, { schedule: '17 3 * * *' }), feedList('bad', {}, { schedule: '61 3 * * *' })], { timezone: 'America/New_York' });
    const problems = await h.service.start();
    expect(problems).toHaveLength(1);
    expect(problems[0]?.list).toBe('bad');
    expect(problems[0]?.error).toContain('61 is a invalid expression for minute');
    const [good, bad] = h.service.status();
    const next = new Date(good!.nextRun!);
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next);
    expect(local).toBe('03:17');
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(bad).toMatchObject({ nextRun: null, scheduleError: problems[0]?.error });
    // Both were new subscriptions: downloaded once, then the lists rebuilt once.
    expect(h.reloads).toBe(1);
    expect(await copyOf('good')).toBe(names(3, 'good'));

    // After a config change the schedule follows the new configuration.
    h.config = { ...h.config, lists: [feedList('good', {}, { schedule: '5 4 * * *' })] };
    expect(await h.service.reschedule()).toEqual([]);
    const moved = new Date(h.service.status()[0]!.nextRun!);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(moved)).toBe('04:05');
    await h.service.stop();
    expect(h.service.status()[0]?.nextRun).toBeNull();
  });

  it('runs feeds that share a schedule together when it fires, with one rebuild', async () => {
    await mkdir(listsDir, { recursive: true });
    for (const id of ['one', 'two']) {
      await writeFile(join(listsDir, `${id}.txt`), names(4, `old${id}`));
      server.routes.set(`/${id}.txt`, { body: names(5, `new${id}`) });
    }
    // A fixed second a little ahead: fires within a few seconds, then once a minute.
    const second = (new Date().getSeconds() + 3) % 60;
    const h = harness([feedList('one', {}, { schedule: `${second} * * * * *` }), feedList('two', {}, { schedule: ` ${second}  * * * * * ` })]);
    expect(await h.service.start()).toEqual([]);
    expect(h.reloads).toBe(0);
    await vi.waitFor(() => expect(h.service.status().map((s) => s.lastAttempt?.outcome)).toEqual(['updated', 'updated']), { timeout: 10_000, interval: 50 });
    expect(h.reloads).toBe(1);
    expect(await copyOf('two')).toBe(names(5, 'newtwo'));
  });

  it('refuses a schedule that would fetch more than once a minute', async () => {
    const h = harness([feedList('often', {}, { schedule: '*/5 * * * * *' })]);
    await mkdir(listsDir, { recursive: true });
    await writeFile(join(listsDir, 'often.txt'), names(1, 'x'));
    const [problem] = await h.service.start();
    expect(problem?.error).toContain('more than once a minute');
  });

  it('reports an unknown time zone for every feed instead of scheduling in the wrong one', async () => {
    const h = harness([feedList('one'), feedList('two')], { timezone: 'Mars/Olympus_Mons' });
    await mkdir(listsDir, { recursive: true });
    for (const id of ['one', 'two']) await writeFile(join(listsDir, `${id}.txt`), names(1, id));
    const problems = await h.service.start();
    expect(problems.map((p) => p.list)).toEqual(['one', 'two']);
    expect(problems[0]?.error).toContain('not a time zone');
  });
});
