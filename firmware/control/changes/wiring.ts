// Change control's wiring, called from the daemon once the control server, the weekly review
// (a change sent upstream makes a review due) and alert delivery (its mailer) are up: the service
// over state.db and the configuration store, its notifier, and its control methods.
import type { ConfigStore } from '../../config/store.ts';
import { CATALOGUE } from '../../config/defaults.ts';
import type { Logger } from '../../log.ts';
import type { ReviewMailer } from '../../monitor/review/review-notifier.ts';
import type { StateDatabase } from '../../state/database.ts';
import type { ControlServer } from '../server.ts';
import { registerChangeMethods } from './change-methods.ts';
import { ChangeNotifier } from './change-notifier.ts';
import { ChangeService, type ChangeServiceDeps } from './change-service.ts';

export function startChangeControl(o: {
  control: Pick<ControlServer, 'register'>; state: StateDatabase; config: ConfigStore; mailer: ReviewMailer | null; logger: Logger;
  reviewDue?: ChangeServiceDeps['reviewDue'];
  investigations?: ChangeServiceDeps['investigations'];
}): ChangeService {
  const { state } = o;
  const logger = o.logger.child({ component: 'changes' });
  const notifier = new ChangeNotifier({ mailer: o.mailer, accounts: () => state.accounts.list(), config: () => o.config.current, logger });
  const service = new ChangeService({
    changes: state.changes, config: o.config, audit: state.audit, accounts: state.accounts, transaction: (fn) => state.transaction(fn), now: () => new Date(),
    categoryTitle: (id) => CATALOGUE.categories.get(id)?.title, notify: (notice) => notifier.notify(notice), logger,
    ...(o.reviewDue ? { reviewDue: o.reviewDue } : {}),
    ...(o.investigations ? { investigations: o.investigations } : {}),
  });
  registerChangeMethods(o.control, service);
  return service;
}
