// Tells systemd how the daemon is doing (Type=notify in image/schoolgate.service): READY=1 once
// DNS answers, STATUS= lines, WATCHDOG=1 from the main event loop, RELOADING=1 and STOPPING=1.
// Node cannot send unix datagrams, so the netio addon does. Outside systemd (no NOTIFY_SOCKET)
// every call does nothing.
import type { Logger } from '../log.ts';
import { loadNetio } from '../native/netio.ts';
import { notifyMessage, notifyPlan, type NotifyEnvironment } from './sd-notify.ts';

export interface ServiceNotifier {
  /** The daemon is useful now (DNS answers); `status` says what it does meanwhile. */
  ready(status: string): void;
  status(status: string): void;
  reloading(): void;
  stopping(): void;
  /** Stops feeding the watchdog. */
  close(): void;
}

export type NotifySend = (socket: string, message: string) => void;

export interface NotifierOptions {
  logger: Logger;
  env?: NotifyEnvironment;
  pid?: number;
  /** Sends one datagram; by default netio's sdNotify. */
  send?: NotifySend;
  /** CLOCK_MONOTONIC in microseconds (process.hrtime reads that clock). */
  monotonicUsec?: () => bigint;
}

/** The netio sender, or why there is none. */
function netioSend(): NotifySend | string {
  const loaded = loadNetio();
  if (loaded.netio === undefined) return loaded.reason;
  const { netio } = loaded;
  if (typeof netio.sdNotify !== 'function') return 'the netio addon has no sdNotify (rebuild with npm run build)';
  return (socket, message) => netio.sdNotify!(socket, message);
}

export function serviceNotifier(options: NotifierOptions): ServiceNotifier {
  const { logger } = options;
  const plan = notifyPlan(options.env ?? process.env, options.pid ?? process.pid);
  if (plan.problem !== undefined) logger.warn({ problem: plan.problem }, 'service manager notifications');
  const idle: ServiceNotifier = { ready() {}, status() {}, reloading() {}, stopping() {}, close() {} };
  if (!plan.notify) return idle;
  const sender = options.send ?? netioSend();
  if (typeof sender === 'string') {
    // Under Type=notify systemd waits for READY=1 until TimeoutStartSec and then stops the
    // service: say plainly why, once.
    logger.error({ reason: sender, socket: plan.socket }, 'cannot notify the service manager: it will not see the daemon become ready');
    return idle;
  }
  const monotonicUsec = options.monotonicUsec ?? (() => process.hrtime.bigint() / 1000n);
  // One report per run of failures: a watchdog ping every 15 s must not flood the journal.
  let failing = false;
  const send = (message: string): void => {
    try {
      sender(plan.socket, message);
      if (failing) logger.info({ socket: plan.socket }, 'service manager notifications get through again');
      failing = false;
    } catch (err) {
      if (!failing) logger.warn({ err, socket: plan.socket, message: message.split('\n')[0] }, 'service manager notification not sent');
      failing = true;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  if (plan.watchdogIntervalMs !== null) {
    // From the main event loop on purpose: a loop stuck in a computation stops the pings, and
    // systemd kills and restarts the daemon. unref: the pings alone keep nothing alive.
    timer = setInterval(() => send(notifyMessage.watchdog()), plan.watchdogIntervalMs).unref();
    send(notifyMessage.watchdog());
  }
  return {
    ready: (status) => send(notifyMessage.ready(status)),
    status: (status) => send(notifyMessage.status(status)),
    reloading: () => send(notifyMessage.reloading(monotonicUsec())),
    stopping: () => send(notifyMessage.stopping()),
    close: () => {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
