// The service manager's notification protocol (systemd's sd_notify), as pure logic: whether to
// notify at all and how often to feed the watchdog (from the environment systemd gives the
// process), and the datagrams themselves. notifier.ts sends them.

/** What systemd puts in a Type=notify service's environment. */
export interface NotifyEnvironment {
  NOTIFY_SOCKET?: string | undefined;
  WATCHDOG_USEC?: string | undefined;
  WATCHDOG_PID?: string | undefined;
}

export type NotifyPlan =
  | { notify: false; problem?: string }
  | { notify: true; socket: string; watchdogIntervalMs: number | null; problem?: string };

/**
 * Whether and where to notify. Without NOTIFY_SOCKET (npm start, tests, a technician's shell)
 * nothing is sent. The watchdog is fed every half of WATCHDOG_USEC, as sd_watchdog_enabled(3)
 * advises, and only when WATCHDOG_PID is unset or names this process: a child that inherited the
 * environment must not keep its parent's watchdog quiet.
 */
export function notifyPlan(env: NotifyEnvironment, pid: number): NotifyPlan {
  const socket = env.NOTIFY_SOCKET ?? '';
  if (socket === '') return { notify: false };
  if (!socket.startsWith('/') && !socket.startsWith('@')) {
    return { notify: false, problem: `NOTIFY_SOCKET "${socket}" is neither a path nor an @abstract name: the service manager is not told anything` };
  }
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || usec === '') return { notify: true, socket, watchdogIntervalMs: null };
  const watchdogUsec = /^[0-9]+$/.test(usec) ? Number(usec) : NaN;
  if (!Number.isSafeInteger(watchdogUsec) || watchdogUsec <= 0) {
    return { notify: true, socket, watchdogIntervalMs: null, problem: `WATCHDOG_USEC "${usec}" is not a positive whole number: the watchdog is not fed` };
  }
  const watchdogPid = env.WATCHDOG_PID;
  if (watchdogPid !== undefined && watchdogPid !== '' && watchdogPid !== String(pid)) {
    return { notify: true, socket, watchdogIntervalMs: null };
  }
  return { notify: true, socket, watchdogIntervalMs: Math.max(1, Math.floor(watchdogUsec / 2000)) };
}

/** One line: the protocol separates assignments by newlines, so a status must not hold one. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, '; ').trim();
}

/** The datagrams the daemon sends. */
export const notifyMessage = {
  ready: (status: string): string => `READY=1\nSTATUS=${oneLine(status)}`,
  status: (status: string): string => `STATUS=${oneLine(status)}`,
  watchdog: (): string => 'WATCHDOG=1',
  /** `monotonicUsec`: CLOCK_MONOTONIC now; systemd 253+ wants it with RELOADING=1 to tell reloads apart. */
  reloading: (monotonicUsec: bigint): string => `RELOADING=1\nSTATUS=re-reading the configuration\nMONOTONIC_USEC=${monotonicUsec}`,
  stopping: (): string => 'STOPPING=1\nSTATUS=stopping',
} as const;

/** What `systemctl status` shows while the daemon runs: what it serves. */
export function servingStatus(s: { dnsListening: number; networksEnabled: number }): string {
  const networks = `${s.networksEnabled} network${s.networksEnabled === 1 ? '' : 's'}`;
  return `answering DNS on ${s.dnsListening} socket${s.dnsListening === 1 ? '' : 's'} for ${networks}`;
}
