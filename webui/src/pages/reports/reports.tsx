// Reports (reports.anonymised: governors, the head, the DSL, the online-safety lead): the one-page
// assurance summary, printable on one A4 sheet; the anonymised governor report for a chosen span;
// and, for those who may see named devices (monitoring.view), sealed exports of records.
import type { AssuranceSummary } from '../../../../firmware/admin/api/reports-schema.ts';
import { Button } from '../../components/button.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { useLoaded } from '../../components/use-loaded.ts';
import { ExportForm } from './export-form.tsx';
import { GovernorReportSection } from './governor-report.tsx';
import { SummaryCard } from './summary-card.tsx';
import './reports.css';

export function ReportsPage() {
  const { session } = useApp();
  const summary = useLoaded<AssuranceSummary>('/api/reports/summary', 300_000);
  const mayExport = session?.permissions.includes('monitoring.view') ?? false;
  const print = () => {
    document.body.dataset.print = 'summary';
    window.addEventListener('afterprint', () => { delete document.body.dataset.print; }, { once: true });
    window.print();
  };
  return (
    <>
      <Notice kind="error">{summary.error}</Notice>
      {summary.data === null ? (summary.error === null ? <p role="status">Loading…</p> : null) : (<>
        <SummaryCard summary={summary.data} />
        <div class="actions no-print"><Button kind="secondary" onClick={print}>Print the summary</Button></div>
      </>)}
      <GovernorReportSection />
      {mayExport ? <ExportForm /> : null}
    </>
  );
}
