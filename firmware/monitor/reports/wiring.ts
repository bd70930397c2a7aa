// The reports' wiring, called with one line from the composition root: the control methods, and
// the governor report's schedule, which follows configuration changes. The optional sources (the
// weekly review, incidents, the annual pack) are passed in here once they exist.
import type { ConfigStore } from '../../config/store.ts';
import type { ControlServer } from '../../control/server.ts';
import type { Logger } from '../../log.ts';
import type { StateDatabase } from '../../state/database.ts';
import type { QueryLog } from '../query-log/query-log.ts';
import { governorReport, type GovernorReportDeps } from './governor-report.ts';
import { governorRecipients, sendGovernorReport } from './governor-mail.ts';
import { GovernorReportSchedule } from './governor-schedule.ts';
import { registerReportsMethods } from './report-methods.ts';
import type { ReportSources } from './sources.ts';

export interface ReportsWiring {
  control: Pick<ControlServer, 'register'>;
  config: ConfigStore;
  state: StateDatabase;
  queryLog: QueryLog;
  dataDir: string;
  logger: Logger;
  stops: { push(stop: () => unknown): void };
  sources?: ReportSources;
  now?: () => Date;
  /** Certificates to trust besides the system's (a test's throwaway SMTP relay). */
  smtpCa?: string;
}

export function startReports(o: ReportsWiring): { schedule: GovernorReportSchedule } {
  const { config, state } = o;
  const now = o.now ?? (() => new Date());
  const current = () => config.current;
  const governor: GovernorReportDeps = {
    config: current, queryLog: o.queryLog, alerts: state.alerts, selftest: state.selftest, visitors: state.vouchers, now,
    ...(o.sources ? { sources: o.sources } : {}),
  };
  const send = async (span: { from?: string | undefined; to?: string | undefined }, actor: string) => {
    const report = await governorReport(governor, span);
    const recipients = governorRecipients(state.accounts.list(), config.current.reports?.governor);
    return sendGovernorReport({
      email: () => config.current.alerts?.email, dataDir: o.dataDir, audit: state.audit, ...(o.smtpCa !== undefined ? { ca: o.smtpCa } : {}),
    }, report, recipients, actor);
  };
  registerReportsMethods(o.control, {
    governor,
    summary: { config: current, alerts: state.alerts, selftest: state.selftest, audit: state.audit, now, ...(o.sources ? { sources: o.sources } : {}) },
    records: { config: current, state, queryLog: o.queryLog, now },
    sendGovernor: send,
  });
  const schedule = new GovernorReportSchedule({
    settings: () => config.current.reports?.governor,
    timezone: () => config.current.site.timezone,
    send: (span) => send(span, 'system:governor-report'),
    now,
    logger: o.logger.child({ component: 'reports' }),
  });
  const logger = o.logger.child({ component: 'reports' });
  // A schedule with no relay sends nothing: each sending is still audited as failed, but the technician should hear of it now.
  const warnWithoutRelay = (): void => {
    const governor = config.current.reports?.governor;
    if (governor !== undefined && governor.schedule !== 'off' && config.current.alerts?.email === undefined) {
      logger.warn({ schedule: governor.schedule }, 'the governor report is scheduled but no e-mail relay is configured (alerts.email): it cannot be sent');
    }
  };
  schedule.start();
  warnWithoutRelay();
  const unsubscribe = config.onChange((next, previous) => {
    if (JSON.stringify(next.reports?.governor) !== JSON.stringify(previous.reports?.governor) || next.site.timezone !== previous.site.timezone) {
      schedule.restart().catch((err: Error) => logger.error({ err }, 'the governor report schedule could not follow the change'));
      warnWithoutRelay();
    }
  });
  o.stops.push(async () => {
    unsubscribe();
    await schedule.stop();
  });
  return { schedule };
}
