// Change control's wiring, called from the daemon once the control server, the weekly review
// (a change sent upstream makes a review due) and alert delivery (its mailer) are up: the service
// over state.db and the configuration store, its notifier, and its control methods.
import type { ConfigStore } from '../../config/store.ts';
import { CATALOGUE } from '../../config/defaults.ts';
import type { Logger } from '../../log.ts';
import type { ReviewMailer } from '../../monitor/review/review-notifier.ts';
import type { StateDatabase } from '../../state/database.ts';
import type { DeviceRepository } from '../../state/devices.ts';
import type { ControlServer } from '../server.ts';
import { registerChangeMethods } from './change-methods.ts';
import { ChangeNotifier } from './change-notifier.ts';
import type { ChangeRequest } from './change-schema.ts';
import { ChangeService, type ChangeServiceDeps } from './change-service.ts';
import type { DeviceNameOf } from './change-words.ts';

/** A device's name for a request's words: the one staff gave it, else the one it gave itself in DHCP, as the devices page shows it. */
export function deviceNames(devices: Pick<DeviceRepository, 'get'>): DeviceNameOf {
  return (mac) => {
    const device = devices.get(mac);
    return device === undefined ? undefined : { name: device.name || device.hostname, networkId: device.networkId };
  };
}

export function startChangeControl(o: {
  control: Pick<ControlServer, 'register'>; state: StateDatabase; config: ConfigStore; mailer: ReviewMailer | null; logger: Logger;
  reviewDue?: ChangeServiceDeps['reviewDue'];
  /** Told of each decision (the second approval, a decline) once recorded: the block page's access requests made into it follow it. */
  decided?: (change: ChangeRequest) => void;
  investigations?: ChangeServiceDeps['investigations'];
  /** DNS (and shaping) follow a device moved into another group by an applied request. */
  regroup?: (mac: string, group: string | null) => void;
}): ChangeService {
  const { state } = o;
  const logger = o.logger.child({ component: 'changes' });
  const notifier = new ChangeNotifier({ mailer: o.mailer, accounts: () => state.accounts.list(), config: () => o.config.current, logger });
  const service = new ChangeService({
    changes: state.changes, config: o.config, audit: state.audit, accounts: state.accounts, transaction: (fn) => state.transaction(fn), now: () => new Date(),
    categoryTitle: (id) => CATALOGUE.categories.get(id)?.title,
    deviceName: deviceNames(state.devices), logger,
    notify: (notice) => {
      if (notice.event === 'approved' || notice.event === 'declined') {
        try {
          o.decided?.(notice.change);
        } catch (err) {
          logger.error({ err, change: notice.change.id }, 'what follows the decision of a change request could not be recorded');
        }
      }
      return notifier.notify(notice);
    },
    ...(o.reviewDue ? { reviewDue: o.reviewDue } : {}),
    ...(o.investigations ? { investigations: o.investigations } : {}),
    devices: {
      facts: (mac) => {
        const device = state.devices.get(mac);
        return device === undefined ? undefined : { groupId: device.groupId, networkId: device.networkId };
      },
      setGroup: (mac, group) => { state.devices.update(mac, { groupId: group }); },
      moved: (mac, group) => o.regroup?.(mac, group),
    },
  });
  registerChangeMethods(o.control, service);
  return service;
}
