// The fleet's wiring, called with one line from the daemon: the event source, the syslog
// forwarder following the configuration, the alerts handed over as they are stored, and the
// audit log read from where the forwarder last stopped (every POLL_MS, and once more at stop, so
// the daemon's own "daemon.stop" goes out before the connections close), each upgrade and backup
// entry also as its own message. Reading the log by its sequence number, not hooking its appends,
// forwards only what was committed.
import type { ConfigStore } from '../config/store.ts';
import type { AuditLog } from '../control/audit.ts';
import type { Stops } from '../daemon/stops.ts';
import type { Logger } from '../log.ts';
import type { Alert } from '../monitor/alerts/alert-schema.ts';
import type { FleetStatus } from './fleet-status-schema.ts';
import type { FeedList } from '../rules/feeds/update-one.ts';
import type { FeedUpdateResult } from '../rules/feeds/types.ts';
import type { AuditEntry } from '../control/audit-chain.ts';
import { applianceEvent, madeWhileStopped } from './appliance-events.ts';
import { alertEvent, auditEvent, GatewayEvents, listUpdatedEvent } from './gateway-events.ts';
import { SyslogForwarder, type ForwarderSettings } from './syslog-forwarder.ts';

const POLL_MS = 2000;
const PAGE = 500;
/** How far back from the log's end a start looks for what was done with the daemon stopped. */
const LOOK_BACK = 200;

export interface Fleet {
  /** Where any part of the daemon emits an event worth a trust's attention that the audit log does not hold. */
  readonly events: GatewayEvents;
  /** Given each new alert once stored (the alert service's onCreated). Never throws. */
  readonly alertStored: (alert: Alert) => void;
  readonly status: () => FleetStatus;
  /** Given each list a feed refreshed (the feed service's onUpdated). Never throws. */
  readonly listUpdated: (list: FeedList, result: FeedUpdateResult) => void;
  /** Forwards the audit entries appended since the last look (tests call it instead of waiting for the timer). */
  readonly pollAudit: () => void;
}

export function startFleet(o: {
  config: ConfigStore; audit: Pick<AuditLog, 'list' | 'count'>; dataDir: string; version: string; logger: Logger; stops: Stops;
  forwarder?: Partial<ForwarderSettings>;
}): Fleet {
  const logger = o.logger.child({ component: 'syslog' });
  const events = new GatewayEvents();
  const forwarder = new SyslogForwarder({ dataDir: o.dataDir, logger, version: o.version, ...o.forwarder });
  const syslog = () => o.config.current.syslog;
  const forwarding = () => (syslog()?.collectors.length ?? 0) > 0;
  forwarder.configure(syslog(), o.config.current.site.name);
  o.config.onChange((next) => forwarder.configure(next.syslog, next.site.name));
  events.on((event) => forwarder.forward(event));
  const onError = (err: unknown): void => logger.error({ err }, 'an event could not be forwarded');

  // Upgrades and backups go out as their own messages too, whether or not audit entries are sent.
  const emitEntry = (entry: AuditEntry): void => {
    if (syslog()?.events?.audit !== false) events.emit(auditEvent(entry), onError);
    const appliance = applianceEvent(entry);
    if (appliance !== undefined) events.emit(appliance, onError);
  };
  let cursor = o.audit.count();
  if (forwarding()) {
    // What was done with the daemon stopped (a restore) is sent now, or never.
    try {
      const tail = o.audit.list({ after: Math.max(0, cursor - LOOK_BACK), limit: LOOK_BACK });
      for (const entry of madeWhileStopped(tail)) {
        const appliance = applianceEvent(entry);
        if (appliance !== undefined) events.emit(appliance, onError);
      }
    } catch (err) {
      logger.error({ err }, 'the audit log could not be read for syslog at start');
    }
  }
  const pollAudit = (): void => {
    try {
      if (!forwarding()) {
        cursor = o.audit.count();
        return;
      }
      for (;;) {
        const entries = o.audit.list({ after: cursor, limit: PAGE });
        for (const entry of entries) {
          cursor = entry.seq;
          emitEntry(entry);
        }
        if (entries.length < PAGE) return;
      }
    } catch (err) {
      logger.error({ err }, 'the audit log could not be read for syslog; it is tried again');
    }
  };
  const timer = setInterval(pollAudit, POLL_MS);
  timer.unref();
  o.stops.push(async () => {
    clearInterval(timer);
    pollAudit();
    await forwarder.close(2000);
  });

  const networkName = (id: string): string | undefined => o.config.current.networks.find((n) => n.id === id)?.name;
  return {
    events,
    alertStored: (alert) => {
      if (!forwarding() || syslog()?.events?.alerts === false) return;
      try {
        events.emit(alertEvent(alert, networkName), onError);
      } catch (err) {
        onError(err);
      }
    },
    listUpdated: (list, result) => {
      if (!forwarding()) return;
      try {
        events.emit(listUpdatedEvent(list, result), onError);
      } catch (err) {
        onError(err);
      }
    },
    status: () => ({ school: syslog()?.school ?? null, collectors: forwarder.status(), events: forwarder.events }),
    pollAudit,
  };
}
