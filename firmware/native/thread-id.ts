// The kernel's id of the calling thread (a Node worker is an OS thread of its own), which Node
// does not expose: setpriority and sched_setscheduler take it to act on one thread only.
import { readlinkSync } from 'node:fs';

/** The calling thread's id, or undefined off Linux (no /proc/thread-self). */
export function osThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}
