// What `schoolgate lists` shows (and prints with --json): each list as compiled, where it comes
// from and when it last changed. One TypeBox shape, so scripts can rely on it.
import { Type, type Static } from 'typebox';
import type { Config } from '../config/schema.ts';
import { builtinId } from './catalogue.ts';
import type { FeedStatus } from './feeds/types.ts';
import type { ListsReport } from './lists-manager.ts';
import { ListStatus } from './list-status.ts';

export const ListSourceKind = Type.Union([Type.Literal('builtin'), Type.Literal('file'), Type.Literal('feed')]);

export const ListView = Type.Object({
  ...ListStatus.properties,
  source: Type.Object({
    kind: ListSourceKind,
    /** builtin: the category; file: the file; feed: the feed's host. */
    detail: Type.String(),
  }),
  updatedAt: Type.Union([Type.String(), Type.Null()], { description: "when the list's content last changed (the file's modification time, or the feed's last success)" }),
  feed: Type.Optional(Type.Object({
    lastOutcome: Type.Union([Type.String(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    nextRun: Type.Union([Type.String(), Type.Null()]),
  })),
});
export type ListView = Static<typeof ListView>;

export const ListsView = Type.Object({
  names: Type.Integer({ minimum: 0 }),
  compileMs: Type.Integer({ minimum: 0 }),
  loadedAt: Type.Union([Type.String(), Type.Null()]),
  fromCache: Type.Boolean({ description: 'the lists in service were loaded from the compiled cache' }),
  lists: Type.Array(ListView),
});
export type ListsView = Static<typeof ListsView>;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function listsView(report: ListsReport, config: Pick<Config, 'lists'>, feeds: readonly FeedStatus[] = []): ListsView {
  const sources = new Map(config.lists.map((l) => [l.id, l]));
  const files = new Map(report.files.map((f) => [f.id, f]));
  const lists = report.lists.map((status): ListView => {
    const source = sources.get(status.id);
    const feed = feeds.find((f) => f.list === status.id);
    const builtin = builtinId(status.file);
    const kind = source?.feed ? 'feed' : builtin !== undefined ? 'builtin' : 'file';
    const detail = source?.feed ? hostOf(source.feed.url) : builtin ?? status.file;
    return {
      ...status,
      source: { kind, detail },
      updatedAt: feed?.lastSuccess ?? files.get(status.id)?.modifiedAt ?? null,
      ...(feed ? { feed: { lastOutcome: feed.lastAttempt?.outcome ?? null, lastError: feed.lastAttempt?.error ?? null, nextRun: feed.nextRun } } : {}),
    };
  });
  return { names: report.names, compileMs: report.compileMs, loadedAt: report.loadedAt, fromCache: report.fromCache, lists };
}
