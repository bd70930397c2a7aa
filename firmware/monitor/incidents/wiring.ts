// The incident log's wiring, called from the daemon's monitoring step: the service over state.db
// and the attachments under the data directory, before the alert service, which tells it of each
// new alert (a critical restricted-list alert opens an incident by itself).
import type { ConfigStore } from '../../config/store.ts';
import type { Logger } from '../../log.ts';
import type { StateDatabase } from '../../state/database.ts';
import { signOffBlock } from '../investigations/investigation-rules.ts';
import { AttachmentStore } from './attachment-store.ts';
import { IncidentService, type IncidentServiceDeps } from './incident-service.ts';

export function startIncidents(o: {
  state: StateDatabase; dataDir: string; config: ConfigStore; logger: Logger; reviewDue?: IncidentServiceDeps['reviewDue'];
}): IncidentService {
  const { state } = o;
  return new IncidentService({
    incidents: state.incidents, alerts: state.alerts, reports: state.siteReports, attachments: new AttachmentStore(o.dataDir),
    audit: state.audit, transaction: (fn) => state.transaction(fn), now: () => new Date(), logger: o.logger.child({ component: 'incidents' }),
    site: () => ({ name: o.config.current.site.name, timezone: o.config.current.site.timezone }),
    ...(o.reviewDue ? { reviewDue: o.reviewDue } : {}),
    // An investigation on the incident keeps it open until its evidence is saved (the entry leaves the configuration then).
    signOffBlockedBy: (id) => signOffBlock(o.config.current, id),
  });
}
