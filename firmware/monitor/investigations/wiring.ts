// Investigations' wiring, called from the daemon before change control (which records an applied
// investigation's start through the service): the service over state.db, the configuration, the
// incident log's attachments and the query log; its notifier; its control methods; and the
// minute's sweep that closes investigations past their end (saving their evidence).
import type { ConfigStore } from '../../config/store.ts';
import type { ControlServer } from '../../control/server.ts';
import type { Stops } from '../../daemon/stops.ts';
import type { Logger } from '../../log.ts';
import type { StateDatabase } from '../../state/database.ts';
import { AttachmentStore } from '../incidents/attachment-store.ts';
import type { QueryLog } from '../query-log/query-log.ts';
import type { ReviewMailer } from '../review/review-notifier.ts';
import { registerInvestigationMethods } from './investigation-methods.ts';
import { InvestigationNotifier } from './investigation-notifier.ts';
import { InvestigationService } from './investigation-service.ts';

const SWEEP_MS = 60_000;

export function startInvestigations(o: {
  control: Pick<ControlServer, 'register'>; state: StateDatabase; config: ConfigStore; queryLog: QueryLog; dataDir: string;
  mailer: ReviewMailer | null; logger: Logger; stops: Stops;
}): InvestigationService {
  const { state } = o;
  const logger = o.logger.child({ component: 'investigations' });
  const notifier = new InvestigationNotifier({ mailer: o.mailer, accounts: () => state.accounts.list(), config: () => o.config.current, logger });
  const service = new InvestigationService({
    store: state.investigations, config: o.config, incidents: state.incidents, attachments: new AttachmentStore(o.dataDir), queryLog: o.queryLog,
    audit: state.audit, accounts: state.accounts, transaction: (fn) => state.transaction(fn), now: () => new Date(),
    deviceName: (mac) => {
      const device = state.devices.get(mac);
      return device ? device.name || device.hostname || null : null;
    },
    notify: (event, investigation) => notifier.notify(event, investigation), logger,
  });
  registerInvestigationMethods(o.control, service);
  let sweeping: Promise<unknown> | undefined;
  const sweep = (): void => {
    if (sweeping !== undefined) return;
    sweeping = service.sweep().catch((err: unknown) => logger.error({ err }, 'investigation sweep failed')).finally(() => { sweeping = undefined; });
  };
  sweep();
  const timer = setInterval(sweep, SWEEP_MS);
  timer.unref();
  o.stops.push(() => clearInterval(timer));
  return service;
}
