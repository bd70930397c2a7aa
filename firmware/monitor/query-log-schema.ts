// What the query log (query-log.ts, on the DNS thread) and its writer thread (query-log-writer.ts)
// share: the table, the packed form a batch of events travels in, and the messages between them.
//
// A batch is packed into one Float64Array (transferred, not copied), a small table of the
// strings that repeat (networks, clients, devices, categories, lists, upstreams) and the names
// concatenated into one string with their lengths in the array: cloning that costs a fraction
// of cloning an array of event objects, so the DNS thread spends ~0.1–0.2 µs per event on it.
import { Verdict, type EventBuffer, type QueryEvent, type Transport } from '../dns/events.ts';
import type { MessagePort } from 'node:worker_threads';
import type { Migration } from '../state/migrate.ts';

export const LOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'query events',
    up: `
      CREATE TABLE query_events (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        network TEXT,
        client TEXT NOT NULL,
        device TEXT,
        transport TEXT NOT NULL,
        name TEXT NOT NULL,
        qtype INTEGER NOT NULL,
        verdict TEXT NOT NULL,
        rcode INTEGER NOT NULL,
        category TEXT,
        list TEXT,
        watch INTEGER NOT NULL DEFAULT 0,
        upstream TEXT,
        latency_ms REAL NOT NULL
      ) STRICT;
      CREATE INDEX query_events_at ON query_events (at);
      CREATE INDEX query_events_client_at ON query_events (client, at);
    `,
  },
];

/** Every verdict, numbered in the schema's order. */
export const VERDICTS: readonly Verdict[] = Verdict.anyOf.map((v) => v.const as Verdict);
const VERDICT_CODE = new Map<string, number>(VERDICTS.map((v, i) => [v, i]));

/** Float64 words per event in a packed batch. */
export const STRIDE = 12;
// Word offsets within one event.
const AT = 0;
const QTYPE = 1;
const RCODE = 2;
const LATENCY = 3;
const FLAGS = 4; // verdict code | TCP | WATCH
const NETWORK = 5; // string-table index, -1 for null/absent
const CLIENT = 6;
const DEVICE = 7;
const CATEGORY = 8;
const LIST = 9;
const UPSTREAM = 10;
const NAME_LENGTH = 11;
const TCP = 0x100;
const WATCH = 0x200;
const VERDICT_MASK = 0xff;

export interface PackedBatch {
  count: number;
  words: Float64Array<ArrayBuffer>;
  strings: string[];
  names: string;
}

/** What packing reads of an event: a QueryEvent, or the event buffer's reused view of one. */
type PackableEvent = Pick<QueryEvent, 'at' | 'network' | 'client' | 'transport' | 'name' | 'qtype' | 'verdict' | 'rcode' | 'latencyMs'>
  & { device?: string | undefined; upstream?: string | undefined; category?: string | undefined; list?: string | undefined; watch?: boolean | undefined };

/** Fills one batch of a known size, event by event. */
class BatchPacker {
  readonly #words: Float64Array<ArrayBuffer>;
  readonly #strings: string[] = [];
  readonly #index = new Map<string, number>();
  #names = '';
  #count = 0;

  constructor(capacity: number) {
    this.#words = new Float64Array(capacity * STRIDE);
  }

  readonly add = (e: PackableEvent): void => {
    const words = this.#words;
    const w = this.#count * STRIDE;
    words[w + AT] = e.at;
    words[w + QTYPE] = e.qtype;
    words[w + RCODE] = e.rcode;
    words[w + LATENCY] = e.latencyMs;
    words[w + FLAGS] = (VERDICT_CODE.get(e.verdict) ?? VERDICT_MASK) | (e.transport === 'tcp' ? TCP : 0) | (e.watch === true ? WATCH : 0);
    words[w + NETWORK] = this.#intern(e.network);
    words[w + CLIENT] = this.#intern(e.client);
    words[w + DEVICE] = this.#intern(e.device);
    words[w + CATEGORY] = this.#intern(e.category);
    words[w + LIST] = this.#intern(e.list);
    words[w + UPSTREAM] = this.#intern(e.upstream);
    words[w + NAME_LENGTH] = e.name.length;
    this.#names += e.name;
    this.#count++;
  };

  // Both callers size the packer to exactly the events they add, and unpacking reads `count`.
  get batch(): PackedBatch {
    return { count: this.#count, words: this.#words, strings: this.#strings, names: this.#names };
  }

  #intern(s: string | null | undefined): number {
    if (s === null || s === undefined) return -1;
    let k = this.#index.get(s);
    if (k === undefined) {
      k = this.#strings.length;
      this.#strings.push(s);
      this.#index.set(s, k);
    }
    return k;
  }
}

/** Packs `events` for the writer thread; transfer `words.buffer` with the message. */
export function packBatch(events: readonly QueryEvent[]): PackedBatch {
  const packer = new BatchPacker(events.length);
  for (const e of events) packer.add(e);
  return packer.batch;
}

/** Drains up to `max` events from `buffer` straight into a batch: no object per event. */
export function packDrained(buffer: EventBuffer, max: number): PackedBatch {
  const packer = new BatchPacker(Math.min(max, buffer.size));
  buffer.drainEach(max, packer.add);
  return packer.batch;
}

/** Columns of one row, as the INSERT takes them. */
export const ROW_COLUMNS = 14;

/** One row as the INSERT takes it (column order of the statement in query-log-writer.ts). */
export type Row = [
  at: number, network: string | null, client: string, device: string | null, transport: Transport, name: string, qtype: number,
  verdict: string, rcode: number, category: string | null, list: string | null, watch: number, upstream: string | null, latencyMs: number,
];

/** Calls `row` for each event of `batch`, oldest first, reusing one array. */
export function unpackBatch(batch: PackedBatch, row: (values: Row) => void): void {
  const { words, strings, names } = batch;
  const str = (k: number): string | null => (k < 0 ? null : strings[k]!);
  const values = [0, null, '', null, 'udp', '', 0, '', 0, null, null, 0, null, 0] as Row;
  let at = 0;
  for (let i = 0; i < batch.count; i++) {
    const w = i * STRIDE;
    const flags = words[w + FLAGS]!;
    const length = words[w + NAME_LENGTH]!;
    values[0] = words[w + AT]!;
    values[1] = str(words[w + NETWORK]!);
    values[2] = str(words[w + CLIENT]!) ?? '';
    values[3] = str(words[w + DEVICE]!);
    values[4] = (flags & TCP) !== 0 ? 'tcp' : 'udp';
    values[5] = names.slice(at, at + length);
    values[6] = words[w + QTYPE]!;
    values[7] = VERDICTS[flags & VERDICT_MASK] ?? 'servfail';
    values[8] = words[w + RCODE]!;
    values[9] = str(words[w + CATEGORY]!);
    values[10] = str(words[w + LIST]!);
    values[11] = (flags & WATCH) !== 0 ? 1 : 0;
    values[12] = str(words[w + UPSTREAM]!);
    values[13] = words[w + LATENCY]!;
    at += length;
    row(values);
  }
}

// Messages to the writer thread, in order on one channel: batches and calls never overtake each other.
export type WriterCommand =
  | { type: 'batch'; batch: PackedBatch }
  | { type: 'call'; op: 'recent'; args: RecentOptions }
  | { type: 'call'; op: 'purgeBefore'; args: number }
  | { type: 'call'; op: 'count' }
  | { type: 'call'; op: 'close' };

export interface RecentOptions {
  limit?: number;
  client?: string;
  network?: string;
}

/** The answer to a call (or to the opening of the file), on the reply port. */
export type WriterReply = { ok: true; value: unknown } | { ok: false; name: string; message: string };

/** Log lines from the writer thread, re-logged by the DNS thread's logger. */
export interface WriterLog {
  type: 'log';
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

export interface WriterData {
  file: string;
  /** The migration clock at construction (a function cannot cross threads). */
  nowMs: number | undefined;
  /** SharedArrayBuffer: [0] reply flag (Int32), then BigInt64 counters written, writeErrors, done. */
  shared: SharedArrayBuffer;
  replyPort: MessagePort;
}

// Layout of `shared`.
export const SHARED_BYTES = 32;
export const FLAG_INDEX = 0; // Int32 index
export const WRITTEN = 1; // BigInt64 indexes
export const WRITE_ERRORS = 2;
/** Events the writer has finished with (written or lost to an error). */
export const DONE = 3;
