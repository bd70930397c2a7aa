// dns.threads > 1: worker threads that answer UDP questions on the main thread's ports
// (SO_REUSEPORT, the kernel spreads clients across the sockets by flow hash). The main DnsService
// stays the one the rest of the daemon sees: its lists and configuration are copied to every
// worker, and the workers' events and counters flow back into it, so the query log and `status`
// see every question whichever thread answered it. TCP is answered by the main thread only.
import { Worker } from 'node:worker_threads';
import type { DeviceChange, PolicyChange } from '../../clients/lease-devices.ts';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../log.ts';
import { siblingModule } from '../../paths.ts';
import { eachPacked } from '../events/event-batch.ts';
import { emptyCounters, type DnsCounters, type EventFields } from '../events/event-buffer.ts';
import type { ListExtras } from '../../rules/load-lists.ts';
import type { Matcher } from '../matcher/matcher.ts';
import type { DnsService, DnsStats } from '../service.ts';
import type { FromWorker, ToWorker, WorkerLists, WorkerStart } from './dns-worker.ts';

export interface DnsThreadsOptions {
  service: DnsService;
  config: Readonly<Config>;
  logger: Logger;
  /** Passed to each worker's DnsService (tests). */
  resolvConfPath?: string;
}

/** A worker that died is restarted this many times before its share of the port is given up. */
const RESTARTS = 1;

interface Slot {
  index: number;
  worker: Worker | undefined;
  restarts: number;
  /** The worker's latest cumulative counters and dropped events (replaced, not added). */
  counters: DnsCounters;
  eventsDropped: number;
}

export class DnsThreads {
  readonly #service: DnsService;
  readonly #logger: Logger;
  readonly #resolvConfPath: string | undefined;
  readonly #slots: Slot[] = [];
  #config: Readonly<Config>;
  #lists: WorkerLists;
  /** Counters of workers that have exited, so a restart does not lose what they answered. */
  readonly #retired: DnsCounters = emptyCounters();
  #retiredDropped = 0;
  #stopping = false;
  /** Device changes not yet posted to the workers: sent together once the current turn ends. */
  #pendingDevices: DeviceChange[] = [];
  readonly #record = (event: Readonly<EventFields>): void => {
    this.#service.events.push(event);
  };

  constructor(options: DnsThreadsOptions) {
    this.#service = options.service;
    this.#config = options.config;
    this.#logger = options.logger;
    this.#resolvConfPath = options.resolvConfPath;
    const workers = (options.config.dns.threads ?? 1) - 1;
    for (let index = 1; index <= workers; index++) {
      this.#slots.push({ index, worker: undefined, restarts: 0, counters: emptyCounters(), eventsDropped: 0 });
    }
    this.#lists = { table: new SharedArrayBuffer(0), listIds: [], extras: undefined };
    // Lists the service already has are moved into shared memory like any later ones.
    const { matcher, listIds, extras } = options.service.lists;
    if (this.#slots.length > 0) this.setLists(matcher, listIds, extras);
  }

  /** Threads answering UDP, the main one included. */
  get threads(): number {
    return this.#slots.length + 1;
  }

  /** Worker threads alive now. */
  get running(): number {
    return this.#slots.filter((s) => s.worker !== undefined).length;
  }

  /** Starts every worker on the main service's UDP ports (call after its start()); rejects if any fails. */
  async start(): Promise<void> {
    this.#stopping = false;
    try {
      await Promise.all(this.#slots.map((slot) => this.#spawn(slot)));
    } catch (error) {
      await this.stop();
      throw error;
    }
    if (this.#slots.length > 0) this.#logger.info({ threads: this.threads }, 'DNS answering UDP on several threads');
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#slots.map((slot) => this.#stopWorker(slot)));
  }

  reload(config: Readonly<Config>): void {
    this.#config = config;
    if ((config.dns.threads ?? 1) !== this.threads) this.#logger.warn('dns.threads changed: the new number of threads takes effect after a restart');
    this.#broadcast({ type: 'config', config: this.#workerConfig() });
  }

  /** The main service's statistics with every worker's counters added in. */
  stats(): DnsStats {
    const stats = this.#service.stats();
    if (this.#slots.length === 0) return stats;
    addCounters(stats.counters, this.#retired);
    let dropped = this.#retiredDropped;
    for (const slot of this.#slots) {
      addCounters(stats.counters, slot.counters);
      dropped += slot.eventsDropped;
    }
    stats.events.dropped += dropped;
    return stats;
  }

  /**
   * Puts lists in service on every thread (the daemon's lists target). With workers, the table
   * goes into shared memory once: the main thread matches with the same bytes the workers adopt,
   * so a second thread costs no second table.
   */
  setLists(matcher: Matcher, listIds: readonly string[], extras?: ListExtras): void {
    if (this.#slots.length === 0) {
      this.#service.setLists(matcher, listIds, extras);
      return;
    }
    const shared = matcher.toShared();
    this.#service.setLists(shared.matcher, listIds, extras);
    this.#lists = { table: shared.table, listIds: [...listIds], extras };
    this.#broadcast({ type: 'lists', lists: this.#lists });
  }

  /**
   * Which device holds an address (a lease granted, renewed, released or expired): the main
   * thread's directory at once, the workers' within the same turn of the event loop, batched so
   * a burst of leases is one message per worker.
   */
  setDevice(address: number, mac: string | undefined, group?: string | null): void {
    const change: DeviceChange = mac === undefined ? [address] : [address, mac, group ?? null];
    this.#service.devices.apply(change);
    this.#queueDevices([change]);
  }

  /** A device's group changed: every address it holds, on every thread. */
  regroupDevice(mac: string, group: string | null): void {
    this.#queueDevices(this.#service.devices.regroup(mac, group));
  }

  /**
   * A voucher's policy for the guest device at an address (`[address, mac, policy]`), or its end
   * (`[address]`): every thread at once. Rare (a sign-in, sign-out, revoke or expiry), so not batched.
   */
  setPolicies(changes: PolicyChange[]): void {
    for (const change of changes) this.#service.devices.applyPolicy(change);
    if (changes.length > 0) this.#broadcast({ type: 'policies', changes });
  }

  #queueDevices(changes: DeviceChange[]): void {
    if (this.#slots.length === 0 || changes.length === 0) return;
    if (this.#pendingDevices.length === 0) queueMicrotask(() => this.#flushDevices());
    for (const change of changes) this.#pendingDevices.push(change);
  }

  #flushDevices(): void {
    const changes = this.#pendingDevices;
    this.#pendingDevices = [];
    if (changes.length > 0) this.#broadcast({ type: 'devices', changes });
  }

  /** The configuration with the ports the main thread actually bound (port 0 is chosen by the kernel). */
  #workerConfig(): Config {
    const udp = this.#service.stats().listening.filter((l) => l.transport === 'udp');
    const listen = udp.length > 0 ? udp.map((l) => ({ address: l.address, port: l.port })) : this.#config.dns.listen;
    return { ...this.#config, dns: { ...this.#config.dns, listen } };
  }

  #broadcast(message: ToWorker): void {
    for (const slot of this.#slots) slot.worker?.postMessage(message);
  }

  #spawn(slot: Slot): Promise<void> {
    const data: WorkerStart = {
      index: slot.index,
      config: this.#workerConfig(),
      lists: this.#lists,
      level: this.#logger.level,
      severity: this.#service.severity,
      // Changes still queued are in the snapshot and will also arrive as a message: applying one twice is harmless.
      devices: this.#service.devices.snapshot(),
      policies: this.#service.devices.policySnapshot(),
      ...(this.#resolvConfPath !== undefined ? { resolvConfPath: this.#resolvConfPath } : {}),
    };
    const worker = new Worker(siblingModule(import.meta.url, 'dns-worker'), { workerData: data });
    slot.worker = worker;
    slot.counters = emptyCounters();
    slot.eventsDropped = 0;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'listening':
            ready = true;
            resolve();
            break;
          case 'failed':
            reject(new Error(`DNS thread ${slot.index}: ${message.message}`));
            break;
          case 'events':
            eachPacked(message.batch, this.#record);
            break;
          case 'counters':
            slot.counters = message.counters;
            slot.eventsDropped = message.eventsDropped;
            break;
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(new Error(`DNS thread ${slot.index}: ${error.message}`, { cause: error }));
        else this.#logger.error({ err: error, thread: slot.index }, 'DNS thread failed');
      });
      worker.on('exit', (code) => {
        if (slot.worker !== worker) return;
        slot.worker = undefined;
        addCounters(this.#retired, slot.counters);
        this.#retiredDropped += slot.eventsDropped;
        slot.counters = emptyCounters();
        slot.eventsDropped = 0;
        if (!ready) {
          reject(new Error(`DNS thread ${slot.index} exited (code ${code}) before it was listening`));
          return;
        }
        if (this.#stopping) return;
        this.#logger.error({ thread: slot.index, code }, 'DNS thread died');
        if (slot.restarts >= RESTARTS) {
          this.#logger.error({ thread: slot.index }, 'DNS thread died again: not restarted; the other threads answer its share');
          return;
        }
        slot.restarts++;
        this.#spawn(slot).then(
          () => this.#logger.info({ thread: slot.index }, 'DNS thread restarted'),
          (error: unknown) => this.#logger.error({ err: error, thread: slot.index }, 'DNS thread could not be restarted'),
        );
      });
    });
  }

  /** Asks the worker to close its sockets and hand over its last events, then ends the thread. */
  async #stopWorker(slot: Slot): Promise<void> {
    const worker = slot.worker;
    if (worker === undefined) return;
    await new Promise<void>((resolve) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'stopped') resolve();
      });
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
    });
    await worker.terminate();
  }
}

/** Adds `from` into `into` (every count and every keyed count). */
export function addCounters(into: DnsCounters, from: DnsCounters): void {
  into.queries += from.queries;
  into.dropped += from.dropped;
  into.upstreamFailures += from.upstreamFailures;
  into.handlerErrors += from.handlerErrors;
  into.tcpConnections += from.tcpConnections;
  into.unsent += from.unsent;
  into.tcpMalformed += from.tcpMalformed;
  for (const key of ['byVerdict', 'byNetwork', 'upstreamFailuresByUpstream'] as const) {
    const target = into[key];
    for (const [name, n] of Object.entries(from[key])) target[name] = (target[name] ?? 0) + n;
  }
}
