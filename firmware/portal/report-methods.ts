// The control-socket method behind `schoolgate reports`: the site reports and access requests
// sent from the block page, newest first. Listing changes nothing, so it is not audited.
import type { ControlServer } from '../control/server.ts';
import type { SiteReportRepository } from '../state/site-reports.ts';
import { ReportsParams, type ReportsView } from './reports-schema.ts';

export function registerReportMethods(control: Pick<ControlServer, 'register'>, store: Pick<SiteReportRepository, 'reports' | 'requests'>): void {
  control.register<ReportsParams>('reports', {
    params: ReportsParams,
    handle: (params): ReportsView => ({ reports: store.reports(params.limit), requests: store.requests(params.limit) }),
  });
}
