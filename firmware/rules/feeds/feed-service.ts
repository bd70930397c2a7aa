// Subscribed list feeds: downloads them on their schedules (or when a technician asks), keeps the
// last good copy of each, and has the lists in service rebuilt once per update.
//
// What is on disk and what is filtering always agree: a feed's new copy is written beside the old
// one, the lists are rebuilt from it, and if that rebuild fails the old copies go back. A failed
// or refused download changes nothing but the feed's status (and a warning in the log, from which
// monitoring raises the alert). List content refreshes are routine: logged, not proposals.
import { join } from 'node:path';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../log.ts';
import { discardBackup, readCopy, restoreCopy } from './feed-copy.ts';
import { FeedSchedule, type ScheduleProblem } from './feed-schedule.ts';
import { emptyRecord, FeedStore } from './feed-store.ts';
import { displayUrl, urlHost } from './fetch-feed.ts';
import { VERSION } from '../../version.ts';
import type { FeedStatus, FeedUpdateOptions, FeedUpdater, FeedUpdateResult } from './types.ts';
import { feedCopyPath, updateOne, type FeedList, type UpdateOneOutcome } from './update-one.ts';

export interface FeedServiceOptions {
  config: () => Readonly<Config>;
  dataDir: string;
  /** Where relative list files live; DATA_DIR/lists unless told. */
  listsDir?: string;
  logger: Logger;
  /** Rebuilds the lists in service from the files on disk (ListsManager.reload with the current config); rejects on failure. */
  reload: () => Promise<unknown>;
  now?: () => Date;
  /** Told of every failed update (the alert service raises lists.feed-failed). */
  onFailed?: (list: FeedList, error: string) => void;
  /** Told of every new copy put in service (the fleet forwards it to a trust's collector). It must not throw. */
  onUpdated?: (list: FeedList, result: FeedUpdateResult) => void;
  fetch?: typeof globalThis.fetch;
  /** Per download; DEFAULT_TIMEOUT_MS unless told. */
  timeoutMs?: number;
}

/** A request the service cannot act on (an unknown or disabled feed): the technician's mistake. */
export class FeedRequestError extends Error {
  override name = 'FeedRequestError';
}

export function feedLists(config: Readonly<Config>): FeedList[] {
  return config.lists.filter((l): l is FeedList => l.feed !== undefined);
}

export class FeedService implements FeedUpdater {
  readonly #config: () => Readonly<Config>;
  readonly #listsDir: string;
  readonly #logger: Logger;
  readonly #reload: () => Promise<unknown>;
  readonly #now: () => Date;
  readonly #fetch: typeof globalThis.fetch;
  readonly #timeoutMs: number | undefined;
  readonly #onFailed: ((list: FeedList, error: string) => void) | undefined;
  readonly #onUpdated: ((list: FeedList, result: FeedUpdateResult) => void) | undefined;
  readonly #schedule = new FeedSchedule();
  readonly #abort = new AbortController();
  #store: FeedStore | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: FeedServiceOptions) {
    this.#config = options.config;
    this.#listsDir = options.listsDir ?? join(options.dataDir, 'lists');
    this.#logger = options.logger;
    this.#reload = options.reload;
    this.#now = options.now ?? (() => new Date());
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs;
    this.#onFailed = options.onFailed;
    this.#onUpdated = options.onUpdated;
  }

  /**
   * Downloads every enabled feed (or `only`), serially; stores each changed one; then rebuilds the
   * lists once. Updates run one at a time, in order. Rejects only for a request that names no
   * enabled feed (FeedRequestError); every download problem is a 'failed' result instead.
   */
  update(options: FeedUpdateOptions = {}): Promise<FeedUpdateResult[]> {
    return this.#enqueue(() => {
      const lists = feedLists(this.#config()).filter((l) => l.enabled);
      let chosen = lists;
      if (options.only !== undefined) {
        chosen = lists.filter((l) => l.id === options.only);
        if (chosen.length === 0) throw new FeedRequestError(this.#unknownFeed(options.only));
      }
      return this.#run(chosen, { ...options, reload: true });
    });
  }

  /**
   * Downloads the enabled feeds that have no copy on disk yet (new subscriptions), without
   * rebuilding the lists: for the daemon to call before its first lists.reload, which refuses to
   * start without every list file.
   */
  fetchMissing(options: Pick<FeedUpdateOptions, 'onProgress' | 'actor'> = {}): Promise<FeedUpdateResult[]> {
    return this.#enqueue(async () => this.#run(await this.#missing(), { ...options, actor: options.actor ?? 'system', reload: false }));
  }

  /**
   * Schedules every enabled feed, then fetches the ones with no copy yet and rebuilds the lists if
   * any arrived. Returns the feeds that could not be scheduled (each also logged and in status()).
   */
  async start(): Promise<ScheduleProblem[]> {
    const problems = this.#scheduleAll();
    await this.#enqueue(async () => this.#run(await this.#missing(), { actor: 'system', reload: true }));
    return problems;
  }

  /**
   * After a configuration change: schedules from the new configuration and fetches new
   * subscriptions. Does not rebuild the lists: the caller reloads them for the new configuration
   * anyway, and must do so after this resolves so the new files are there to read.
   */
  async reschedule(): Promise<ScheduleProblem[]> {
    const problems = this.#scheduleAll();
    await this.fetchMissing({ actor: 'system' });
    return problems;
  }

  /** Stops the schedules and any download in progress; waits for the update under way to settle. */
  async stop(): Promise<void> {
    this.#schedule.clear();
    this.#abort.abort();
    await this.#queue;
  }

  status(): FeedStatus[] {
    return feedLists(this.#config()).map((list) => {
      const record = this.#store?.get(list.id);
      const scheduleError = this.#schedule.problem(list.id);
      return {
        list: list.id,
        url: displayUrl(list.feed.url),
        schedule: list.feed.schedule,
        enabled: list.enabled,
        lastAttempt: record?.lastAttempt ?? null,
        lastSuccess: record?.lastSuccess ?? null,
        etag: record?.etag ?? null,
        lastModified: record?.lastModified ?? null,
        sha256: record?.sha256 ?? null,
        entries: record?.entries ?? null,
        nextRun: this.#schedule.nextRun(list.id)?.toISOString() ?? null,
        ...(scheduleError ? { scheduleError } : {}),
      };
    });
  }

  /** Problems that are not one download's: an unreadable feeds.json. */
  problems(): string[] {
    return this.#store?.problem ? [this.#store.problem] : [];
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #unknownFeed(id: string): string {
    const list = this.#config().lists.find((l) => l.id === id);
    if (!list) return `there is no list "${id}"`;
    if (!list.feed) return `list "${id}" has no feed: its file is maintained by hand`;
    return `list "${id}" is disabled`;
  }

  async #openStore(): Promise<FeedStore> {
    this.#store ??= await FeedStore.open(this.#listsDir, this.#logger);
    return this.#store;
  }

  async #missing(): Promise<FeedList[]> {
    const missing: FeedList[] = [];
    for (const list of feedLists(this.#config())) {
      if (!list.enabled) continue;
      let path: string;
      try {
        path = feedCopyPath(list, this.#listsDir);
      } catch {
        missing.push(list); // its update reports why
        continue;
      }
      if ((await readCopy(path).catch(() => null)) === null) missing.push(list);
    }
    return missing;
  }

  #scheduleAll(): ScheduleProblem[] {
    const config = this.#config();
    const requests = feedLists(config).filter((l) => l.enabled).map((l) => ({ list: l.id, expression: l.feed.schedule }));
    const problems = this.#schedule.replace(requests, config.site.timezone, (ids) => this.#scheduled(ids));
    for (const p of problems) this.#logger.error({ list: p.list, reason: p.error }, 'feed not scheduled: it will not refresh until its schedule is fixed');
    return problems;
  }

  /** A schedule's turn: its feeds still enabled by now (the configuration may have changed), one rebuild. */
  #scheduled(ids: readonly string[]): Promise<FeedUpdateResult[]> {
    return this.#enqueue(() => {
      const due = feedLists(this.#config()).filter((l) => l.enabled && ids.includes(l.id));
      return this.#run(due, { actor: 'schedule', reload: true });
    }).catch((err: unknown) => {
      // Nothing above node-cron would see this: say it here.
      this.#logger.error({ err, lists: ids }, 'scheduled feed update failed');
      return [];
    });
  }

  async #run(lists: readonly FeedList[], options: FeedUpdateOptions & { reload: boolean }): Promise<FeedUpdateResult[]> {
    const store = await this.#openStore();
    if (lists.length === 0) return [];
    const progress = options.onProgress ?? (() => {});
    const actor = options.actor ?? 'system';
    const outcomes: Array<{ list: FeedList; outcome: UpdateOneOutcome }> = [];
    for (const list of lists) {
      progress(`${list.id}: fetching from ${urlHost(list.feed.url)}`);
      const outcome = await updateOne(list, {
        listsDir: this.#listsDir, record: store.get(list.id), at: this.#now().toISOString(), force: options.force === true,
        fetch: this.#fetch, timeoutMs: this.#timeoutMs, signal: this.#abort.signal, userAgent: `Schoolgate/${VERSION}`,
      });
      outcomes.push({ list, outcome });
      this.#report(list, outcome.result, actor, progress);
    }

    const changed = outcomes.filter((o) => o.outcome.copy !== undefined);
    if (changed.length > 0 && options.reload) {
      progress(`rebuilding the lists in service with ${changed.length} new ${changed.length === 1 ? 'copy' : 'copies'}`);
      try {
        await this.#reload();
        progress('lists rebuilt');
      } catch (err) {
        await this.#undo(changed, (err as Error).message, actor, progress);
      }
    }
    for (const { outcome } of changed) {
      if (outcome.copy && outcome.result.outcome === 'updated') await discardBackup(outcome.copy).catch(() => undefined);
    }
    for (const { list, outcome } of outcomes) store.set(list.id, outcome.record);
    try {
      await store.save();
    } catch (err) {
      // The copies are in place and in service; only the validators are lost (the next download is full).
      this.#logger.error({ err, file: store.file }, 'feed metadata not saved');
    }
    return outcomes.map((o) => o.outcome.result);
  }

  /** The lists could not be rebuilt: every new copy goes back to the previous one, and says why. */
  async #undo(changed: Array<{ list: FeedList; outcome: UpdateOneOutcome }>, reason: string, actor: string, progress: (line: string) => void): Promise<void> {
    for (const entry of changed) {
      const { list, outcome } = entry;
      let restored = true;
      try {
        await restoreCopy(outcome.copy!);
      } catch (err) {
        restored = false;
        this.#logger.error({ err, list: list.id }, 'feed: the previous copy could not be put back');
      }
      const error = `the lists could not be rebuilt with the new copy (${reason}); ${restored ? 'the previous copy is back in place' : 'the previous copy could NOT be put back'}`;
      const result: FeedUpdateResult = { ...outcome.result, outcome: 'failed', error };
      // The record from before this update still describes the copy on disk; its validators make
      // the next attempt download again rather than hear 304 for content never put in service.
      const before = this.#store?.get(list.id) ?? emptyRecord(list.feed.url);
      entry.outcome = { result, record: { ...before, lastAttempt: result } };
      this.#report(list, result, actor, progress);
    }
  }

  #report(list: FeedList, result: FeedUpdateResult, actor: string, progress: (line: string) => void): void {
    const host = urlHost(list.feed.url);
    if (result.outcome === 'failed') {
      this.#logger.warn({ list: list.id, host, reason: result.error, actor }, 'feed update failed; the last good copy stays');
      progress(`${list.id}: FAILED: ${result.error}`);
      try {
        this.#onFailed?.(list, result.error ?? 'unknown error');
      } catch (err) {
        this.#logger.error({ err, list: list.id }, 'feed failure could not be reported');
      }
    } else if (result.outcome === 'updated') {
      this.#logger.info({ list: list.id, host, entries: result.entries, bytes: result.bytes, sha256: result.sha256, badLines: result.badLines, actor }, 'feed downloaded');
      progress(`${list.id}: new copy, ${result.entries} entries${result.badLines ? ` (${result.badLines} bad lines skipped)` : ''}`);
      try {
        this.#onUpdated?.(list, result);
      } catch (err) {
        this.#logger.error({ err, list: list.id }, 'feed update could not be reported');
      }
    } else {
      this.#logger.info({ list: list.id, host, actor }, 'feed unchanged');
      progress(`${list.id}: unchanged`);
    }
  }
}
