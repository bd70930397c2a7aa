// What the lists manager and its compiler thread (cached-compile-worker.ts) say to each other: one
// request in workerData, one reply message, then the thread ends.
import type { Config } from '../config/schema.ts';
import type { MatcherData } from '../dns/matcher/data.ts';
import type { ListExtras, ListStatus } from './load-lists.ts';

export interface CompileRequest {
  config: Pick<Config, 'policies' | 'lists'>;
  listsDir: string;
  seed: number;
}

export type CompileReply =
  | {
    ok: true;
    /**
     * The table's arrays, their buffers transferred: a compile's own arrays as the builder made
     * them, or views into the compiled cache's bytes, checked by decodeMatcher in the worker.
     */
    data: Omit<MatcherData, 'categories'>;
    /** The matcher's category ids in bit order (a CategoryIndex does not survive cloning). */
    categories: string[];
    extras: ListExtras;
    statuses: ListStatus[];
    listIds: string[];
    compileMs: number;
  }
  | {
    ok: false;
    name: string;
    message: string;
    /** Present when the lists could not be read (ListReadError). */
    statuses?: ListStatus[];
  };
