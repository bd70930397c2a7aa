// The control methods behind `schoolgate reports governor|summary|export` and the Reports page
// (which calls them in-process as the signed-in account): the same report, the same sealed
// export and the same audit entry whichever way it was asked for.
import { Type, type Static } from 'typebox';
import { actorOf } from '../../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../../control/server.ts';
import { MacAddressError } from '../../state/mac.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import { assuranceSummary, type AssuranceSummaryDeps } from './assurance-summary.ts';
import { SealError } from './export-seal.ts';
import { governorReport, type GovernorReportDeps } from './governor-report.ts';
import { exportRecords, type RecordsExportDeps } from './records-export.ts';
import {
  GovernorReportParams, RecordsExportParams, type AssuranceSummary, type GovernorReport, type GovernorSendResult, type SealedFile,
} from './report-schema.ts';

export const GovernorSendParams = Type.Object({
  from: Type.Optional(GovernorReportParams.properties.from),
  to: Type.Optional(GovernorReportParams.properties.to),
}, { additionalProperties: false, description: 'the days the report covers; by default the last 30 days to yesterday' });
export type GovernorSendParams = Static<typeof GovernorSendParams>;

export interface ReportMethodDeps {
  governor: GovernorReportDeps;
  summary: AssuranceSummaryDeps;
  records: RecordsExportDeps;
  /** Sends the governor report for a span now to its recipients; absent: the method answers that e-mail is not set up. */
  sendGovernor: (span: { from?: string | undefined; to?: string | undefined }, actor: string) => Promise<GovernorSendResult>;
}

function asControlFailure(error: unknown): never {
  if (error instanceof NotFoundError) throw new ControlFailure('not-found', error.message);
  if (error instanceof MacAddressError || error instanceof InvalidInputError || error instanceof SealError) throw new ControlFailure('invalid-input', error.message);
  throw error;
}

export function registerReportsMethods(control: Pick<ControlServer, 'register'>, deps: ReportMethodDeps): void {
  control.register('reports.summary', {
    handle: (): AssuranceSummary => assuranceSummary(deps.summary),
  });
  control.register<GovernorReportParams>('reports.governor', {
    params: GovernorReportParams,
    handle: async (params): Promise<GovernorReport> => governorReport(deps.governor, params).catch(asControlFailure),
  });
  control.register<{ from?: string; to?: string }>('reports.governor.send', {
    params: GovernorSendParams,
    handle: async (params, caller): Promise<GovernorSendResult> => deps.sendGovernor(params, actorOf(caller)).catch(asControlFailure),
  });
  control.register<RecordsExportParams>('reports.export', {
    params: RecordsExportParams,
    handle: async (params, caller): Promise<SealedFile> => exportRecords(deps.records, params, actorOf(caller)).catch(asControlFailure),
  });
}
