// The Reports page's API: the governor assurance summary and the anonymised governor report
// (reports.anonymised), and sealed exports of records by device, visitor or date range
// (monitoring.view); sending the governor report now (monitoring.review). The shapes are the control methods' own (monitor/reports/report-schema.ts).
export {
  AssuranceSummary, GovernorReport, GovernorReportParams, GovernorSendResult, RecordsExportParams, SealedFile,
} from '../../monitor/reports/report-schema.ts';
export { GovernorSendParams } from '../../monitor/reports/report-methods.ts';
