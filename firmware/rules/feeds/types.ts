// The contract between list feeds (downloading subscribed lists) and their users: the daemon's
// scheduler, the control socket (`schoolgate lists update`) and the status page.
import { Type, type Static } from 'typebox';

export const FeedOutcome = Type.Union([
  Type.Literal('updated'),
  Type.Literal('unchanged'),
  Type.Literal('failed'),
], { description: 'updated: new content stored and swapped in; unchanged: the server said 304 or the checksum matched; failed: the last good copy stays' });

export const FeedUpdateResult = Type.Object({
  list: Type.String(),
  outcome: FeedOutcome,
  at: Type.String({ format: 'date-time' }),
  bytes: Type.Optional(Type.Integer({ minimum: 0 })),
  sha256: Type.Optional(Type.String()),
  entries: Type.Optional(Type.Integer({ minimum: 0 })),
  badLines: Type.Optional(Type.Integer({ minimum: 0 })),
  error: Type.Optional(Type.String()),
});
export type FeedUpdateResult = Static<typeof FeedUpdateResult>;

export const FeedStatus = Type.Object({
  list: Type.String(),
  url: Type.String(),
  schedule: Type.String(),
  lastAttempt: Type.Union([FeedUpdateResult, Type.Null()]),
  lastSuccess: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  etag: Type.Union([Type.String(), Type.Null()]),
  lastModified: Type.Union([Type.String(), Type.Null()]),
  sha256: Type.Union([Type.String(), Type.Null()]),
  nextRun: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  enabled: Type.Optional(Type.Boolean({ description: 'a disabled list is neither scheduled nor downloaded' })),
  entries: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'entries in the last good copy' })),
  scheduleError: Type.Optional(Type.String({ description: 'why the feed is not scheduled (a bad cron expression or time zone)' })),
});
export type FeedStatus = Static<typeof FeedStatus>;

export interface FeedUpdateOptions {
  /** Only this list id. */
  only?: string;
  /** A line of progress for a person watching (the CLI prints these as they come). */
  onProgress?: (line: string) => void;
  /** Who asked (for the log): 'schedule' or `ssh:<user>`. */
  actor?: string;
  /**
   * Accept a download that shrank by more than the validator allows (a feed that really did drop
   * most of its entries, once a person has looked). Every other check still applies.
   */
  force?: boolean;
}

export interface FeedUpdater {
  update(options?: FeedUpdateOptions): Promise<FeedUpdateResult[]>;
  status(): FeedStatus[];
}
