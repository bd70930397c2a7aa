// The query log's writer thread runs in the idle scheduling class (SCHED_IDLE) while it keeps up:
// it then takes only CPU that nothing else wants and never preempts the DNS thread. In the normal
// class each of its wake-ups (a batch every 50 ms, a commit a second) could take a core from the
// DNS thread for a scheduler slice; on the 2-core test box, at half of peak load, the writer in
// the idle class took p99 from 3.7-9.2 ms (median 5.4) to 2.2-8.0 ms (median 3.0), better in 9
// rounds of 10 (README, "Benchmarks"). Nice 19 alone did not help: a nice thread still preempts
// on wake-up.
//
// A thread in the idle class gets almost nothing while both cores are busy, so one that falls
// behind (RAISE_AT events handed over and not written) goes back to the normal class until it has
// caught up (LOWER_AT): under a flood the log keeps up as before, at the old cost to latency.
// Leaving the idle class needs a permission the appliance's unit grants (LimitNICE); without it
// the writer is never put there, since it could not come back.
import { getPriority, setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Type, type Static } from 'typebox';
import { LogThrottle } from '../../dns/query/log-throttle.ts';
import type { Logger } from '../../log.ts';

/** Moves a thread of this process between the scheduling classes (netio's call, or a test's). */
export type SetIdleScheduling = (tid: number, idle: boolean) => void;

export const WriterSchedulingState = Type.Union([
  Type.Literal('idle'),
  Type.Literal('catching-up'),
  Type.Literal('normal'),
], {
  description: 'idle: the writer uses only spare CPU; catching-up: it fell behind and is in the normal class until it has caught up; normal: it always is (see reason)',
});
export type WriterSchedulingState = Static<typeof WriterSchedulingState>;

/** Events handed to the writer and not yet written that take it out of the idle class... */
export const RAISE_AT = 10_000;
/** ...and the backlog at which it goes back. */
export const LOWER_AT = 1_000;

/**
 * Whether `tid` could leave the idle class: the kernel asks for the permission that takes a nice
 * value back down to the thread's own (RLIMIT_NICE or CAP_SYS_NICE), so this tries exactly that,
 * one step. Denied, the thread stays one step nicer, which changes nothing that matters.
 */
export function canLeaveIdle(tid: number): boolean {
  try {
    const nice = getPriority(tid);
    if (nice >= 19) return false;
    setPriority(tid, nice + 1);
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

export interface WriterSchedulingOptions {
  /** Absent: the netio addon is not there, and the writer stays in the normal class. */
  setIdle: SetIdleScheduling | undefined;
  tid: number;
  logger: Logger;
  /** The probe (tests replace it). */
  canLeaveIdle?: (tid: number) => boolean;
  /** Monotonic ms, for the log's throttle (tests). */
  monotonic?: () => number;
}

export class WriterScheduling {
  readonly #setIdle: SetIdleScheduling | undefined;
  readonly #tid: number;
  readonly #logger: Logger;
  #state: WriterSchedulingState = 'normal';
  /** Why the writer is always in the normal class, when it is. */
  #reason: string | undefined;
  #raised = 0;
  /** A class change failed: no more tries. */
  #fixed = false;
  // Under a sustained flood the writer falls behind every few seconds: a line a minute says so.
  readonly #fellBehindLog = new LogThrottle(60_000);
  readonly #monotonic: () => number;

  constructor(options: WriterSchedulingOptions) {
    this.#setIdle = options.setIdle;
    this.#tid = options.tid;
    this.#logger = options.logger;
    this.#monotonic = options.monotonic ?? (() => performance.now());
    if (this.#setIdle === undefined) {
      this.#reason = 'the netio addon is not built';
      return;
    }
    if (!(options.canLeaveIdle ?? canLeaveIdle)(this.#tid)) {
      this.#reason = 'it could not leave the idle class again (needs LimitNICE or CAP_SYS_NICE)';
      this.#logger.info({ tid: this.#tid }, `query log writer stays in the normal scheduling class: ${this.#reason}`);
      return;
    }
    if (this.#move(true)) this.#state = 'idle';
  }

  get state(): WriterSchedulingState {
    return this.#state;
  }

  /** Why the state is `normal` (or a failed change keeps it where it is), if it is. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** Times the writer fell behind and left the idle class. */
  get raised(): number {
    return this.#raised;
  }

  /** At every flush, with the events handed to the writer and not yet written. */
  update(backlog: number): void {
    if (this.#fixed) return;
    if (this.#state === 'idle' && backlog >= RAISE_AT) {
      if (!this.#move(false)) return;
      this.#state = 'catching-up';
      this.#raised++;
      if (this.#fellBehindLog.take(this.#monotonic()) !== undefined) this.#logger.info({ backlog, fellBehind: this.#raised }, 'query log writer fell behind: normal scheduling class until it catches up');
    } else if (this.#state === 'catching-up' && backlog <= LOWER_AT) {
      if (this.#move(true)) this.#state = 'idle';
    }
  }

  /** Before the close, which the DNS thread waits for: the writer finishes in the normal class. */
  leaveIdle(): void {
    if (this.#state === 'normal' || this.#fixed) return;
    if (!this.#move(false)) return;
    this.#state = 'normal';
    this.#reason = 'the query log is closing';
  }

  /** False when the call fails: the class the thread is in then stays, for good. */
  #move(idle: boolean): boolean {
    try {
      this.#setIdle!(this.#tid, idle);
      return true;
    } catch (error) {
      this.#fixed = true;
      this.#reason = `sched_setscheduler failed: ${(error as Error).message}`;
      this.#logger.warn({ err: error, tid: this.#tid }, `query log writer could not ${idle ? 'enter' : 'leave'} the idle scheduling class; it stays where it is`);
      return false;
    }
  }
}
