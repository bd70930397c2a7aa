// Every visitor's record (visitors.manage): who, from where, why, who sponsored them, their
// devices, times, voucher and the terms they accepted. A record the school prints.
import { useEffect, useState } from 'preact/hooks';
import type { VisitorRecord } from '../../../../firmware/admin/api/visitors-schema.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { STATE_WORDS, when } from './when.ts';

const FULL = { year: true };

export function VisitorRecordsPage() {
  const { api, session } = useApp();
  const [records, setRecords] = useState<VisitorRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tz = session?.site.timezone ?? 'Europe/London';
  useEffect(() => {
    api.get<VisitorRecord[]>('/api/visitors/records').then(setRecords, (err: Error) => setError(err.message));
  }, []);
  return (
    <>
      <Notice kind="error">{error}</Notice>
      <p class="lead no-print">Kept for the school's visitor-records retention period, then deleted. <button type="button" class="btn btn-secondary" onClick={() => window.print()}>Print</button></p>
      <p class="print-only">{session?.site.name}: visitor records, printed {when(new Date().toISOString(), tz, FULL)} by {session?.account.displayName}.</p>
      <DataTable<VisitorRecord>
        caption="Visitors to the guest Wi-Fi"
        rows={records ?? []}
        rowKey={(r) => String(r.request.id)}
        empty={records === null ? 'Loading…' : 'No visitor has registered yet. A record appears here when a visitor registers on the guest Wi-Fi page, naming the member of staff who sponsors them.'}
        initialSort={{ key: 'created', direction: 'descending' }}
        columns={[
          { key: 'name', label: 'Visitor', value: (r) => r.request.visitor.name },
          { key: 'org', label: 'Organisation', value: (r) => r.request.visitor.organisation ?? '' },
          { key: 'purpose', label: 'Purpose', value: (r) => r.request.visitor.purpose ?? '' },
          { key: 'sponsor', label: 'Sponsor', value: (r) => r.request.visitor.sponsorName ?? '' },
          { key: 'created', label: 'Registered', value: (r) => r.request.created, render: (r) => when(r.request.created, tz, FULL) },
          { key: 'state', label: 'Outcome', value: (r) => r.request.state, render: (r) => `${STATE_WORDS[r.request.state]}${r.request.decidedBy ? ` by ${r.request.decidedBy.replace(/^account:/, '')}` : ''}${r.request.reason ? ` (${r.request.reason})` : ''}` },
          { key: 'device', label: 'Device', value: (r) => r.request.mac, render: (r) => `${r.request.mac} at ${r.request.address}` },
          { key: 'voucher', label: 'Access', value: (r) => r.voucher?.validUntil ?? '', render: (r) => r.voucher === null ? '' : `voucher ${r.voucher.id}, until ${when(r.voucher.revokedAt ?? r.voucher.validUntil, tz, FULL)}, ${r.voucher.devicesNow} device${r.voucher.devicesNow === 1 ? '' : 's'} now` },
          { key: 'terms', label: 'Terms', value: (r) => r.request.visitor.termsVersion ?? '' },
        ]}
      />
    </>
  );
}
