// One DNS worker thread (dns.threads > 1): its own DnsService on the main thread's UDP ports
// (SO_REUSEPORT), with the main thread's lists and configuration. It answers on its own; what it
// owes the main thread is its events (for the query log) and its counters (for `status`).
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import type { DeviceChange, PolicyChange } from '../../clients/lease-devices.ts';
import type { Config } from '../../config/schema.ts';
import { packDrained, type PackedBatch } from '../events/event-batch.ts';
import type { DnsCounters } from '../events/event-buffer.ts';
import { Matcher } from '../matcher/matcher.ts';
import type { ListExtras } from '../../rules/load-lists.ts';
import { DnsService } from '../service.ts';

/** The compiled table in shared memory (adopted read-only by every worker) and what goes with it. */
export interface WorkerLists {
  table: SharedArrayBuffer;
  listIds: string[];
  extras: ListExtras | undefined;
}

export interface WorkerStart {
  index: number;
  config: Config;
  lists: WorkerLists;
  level: string;
  /** The main thread's DnsService severity (the catalogue stays on the main thread). */
  severity: readonly string[];
  resolvConfPath?: string;
  /** Which device holds which address when the worker starts; later changes come as 'devices' messages. */
  devices: DeviceChange[];
  /** Voucher policies of guest devices when the worker starts; later ones come as 'policies' messages. */
  policies?: PolicyChange[];
}

export type ToWorker =
  | { type: 'lists'; lists: WorkerLists }
  | { type: 'devices'; changes: DeviceChange[] }
  | { type: 'policies'; changes: PolicyChange[] }
  | { type: 'config'; config: Config }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'listening' }
  | { type: 'failed'; message: string }
  | { type: 'events'; batch: PackedBatch }
  | { type: 'counters'; counters: DnsCounters; eventsDropped: number }
  | { type: 'stopped' };

/** Events leave often enough that the query log is not behind and the ring does not fill. */
const EVENTS_MS = 50;
const COUNTERS_MS = 1000;

const port = parentPort ?? ((): never => {
  throw new Error('dns-worker.ts runs only as a worker thread');
})();
const start = workerData as WorkerStart;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const logger = pino({ level: start.level, base: { service: 'schoolgate', component: 'dns', thread: start.index } });

const service = new DnsService({
  config: start.config,
  severity: start.severity,
  logger,
  worker: true,
  ...(start.resolvConfPath !== undefined ? { resolvConfPath: start.resolvConfPath } : {}),
});

function applyLists(lists: WorkerLists): void {
  // The main thread never writes a table it has shared, so adopting it (no copy) is safe.
  const matcher = lists.table.byteLength === 0 ? Matcher.empty() : Matcher.fromShared(lists.table);
  service.setLists(matcher, lists.listIds, lists.extras);
}

// Packed, not as objects: cloning an event object costs more than answering the question did.
function flushEvents(): void {
  if (service.events.size === 0) return;
  const batch = packDrained(service.events, service.events.size);
  post({ type: 'events', batch }, [batch.words.buffer]);
}

function postCounters(): void {
  const stats = service.stats();
  post({ type: 'counters', counters: stats.counters, eventsDropped: stats.events.dropped });
}

let eventsTimer: NodeJS.Timeout | undefined;
let countersTimer: NodeJS.Timeout | undefined;

port.on('message', (message: ToWorker) => {
  try {
    if (message.type === 'devices') for (const change of message.changes) service.devices.apply(change);
    if (message.type === 'policies') for (const change of message.changes) service.devices.applyPolicy(change);
    else if (message.type === 'lists') applyLists(message.lists);
    else if (message.type === 'config') service.reload(message.config);
    else if (message.type === 'stop') void stop();
  } catch (error) {
    // A table that fails to load keeps the previous one in force, as on the main thread.
    logger.error({ err: error }, 'DNS thread could not apply an update');
  }
});

async function stop(): Promise<void> {
  clearInterval(eventsTimer);
  clearInterval(countersTimer);
  await service.stop();
  flushEvents();
  postCounters();
  post({ type: 'stopped' });
  port.close();
}

try {
  // Lists before listening: a worker must never answer a question unfiltered.
  applyLists(start.lists);
  for (const change of start.devices) service.devices.apply(change);
  for (const change of start.policies ?? []) service.devices.applyPolicy(change);
  await service.start();
  eventsTimer = setInterval(flushEvents, EVENTS_MS);
  countersTimer = setInterval(postCounters, COUNTERS_MS);
  post({ type: 'listening' });
} catch (error) {
  post({ type: 'failed', message: (error as Error).message });
  port.close();
}
