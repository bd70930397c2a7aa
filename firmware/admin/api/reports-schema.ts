// The Reports page's API: the governor assurance summary and the anonymised governor report
// (reports.anonymised), and sealed exports of records by device, visitor or date range
// (monitoring.view). The shapes are the control methods' own (monitor/reports/report-schema.ts).
export {
  AssuranceSummary, GovernorReport, GovernorReportParams, RecordsExportParams, SealedFile,
} from '../../monitor/reports/report-schema.ts';
