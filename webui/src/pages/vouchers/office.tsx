// The office's vouchers: a single-use voucher for an occasional visitor, recorded with who got
// it, and a slip to print (the code is shown once); every voucher in force and lapsed, each
// revocable with a reason. Issuing goes through the same method as `schoolgate vouchers issue`.
import { useState } from 'preact/hooks';
import type { OfficeVoucherForm, OfficeVoucherIssued, Voucher, VoucherList } from '../../../../firmware/admin/api/vouchers-schema.ts';
import { validitySeconds } from '../../../../firmware/portal/registration/validity.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import type { FieldErrors } from '../../validate.ts';
import { when } from '../visitors/when.ts';
import { RevokeDialog } from './revoke-dialog.tsx';
import { SlipSheet, type SlipInfo } from './slip.tsx';
import { voucherStatus } from './status.ts';
import './vouchers.css';

const HOW_LONG = [
  { value: 'end-of-day', label: 'Until the end of today' },
  { value: '1', label: 'For 1 hour' },
  { value: '2', label: 'For 2 hours' },
  { value: '4', label: 'For 4 hours' },
  { value: '24', label: 'For 24 hours' },
  { value: '168', label: 'For a week' },
];

export function OfficeVouchersPage() {
  const { api, session } = useApp();
  const { data: list, error: loadError, reload: load } = useLoaded<VoucherList>('/api/vouchers', null);
  const tz = session?.site.timezone ?? 'Europe/London';
  const [name, setName] = useState('');
  const [organisation, setOrganisation] = useState('');
  const [howLong, setHowLong] = useState('end-of-day');
  const [devices, setDevices] = useState('1');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [issued, setIssued] = useState<OfficeVoucherIssued | null>(null);
  const [revoking, setRevoking] = useState<Voucher | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const formRef = useFocusFirstError(errors, attempt);


  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    if (name.trim() === '') found['recipient/name'] = 'Write the visitor\'s name: it is kept with the voucher.';
    setErrors(found);
    setFormError(null);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const validity = howLong === 'end-of-day' ? { until: 'end-of-day' as const } : { hours: Number(howLong) };
      const body: OfficeVoucherForm = {
        recipient: { name: name.trim(), ...(organisation.trim() ? { organisation: organisation.trim() } : {}) },
        validSeconds: validitySeconds(validity, new Date(), tz), maxDevices: Number(devices),
      };
      setIssued(await api.post<OfficeVoucherIssued>('/api/vouchers', body));
      setName('');
      setOrganisation('');
      void load();
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      setErrors(err.fields);
      setFormError(err.message);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  const visitorOf = (v: Voucher) => list?.visitors.find((p) => p.id === v.visitorId);
  const givenTo = (v: Voucher) => {
    const p = visitorOf(v);
    return p ? `${p.name}${p.organisation ? ` (${p.organisation})` : ''}` : v.label ?? '';
  };
  const rows = (list?.vouchers ?? []).filter((v) => v.kind === 'single');
  const slip: SlipInfo[] = issued === null ? [] : [{
    slip: issued.slip, forWhom: `${issued.recipient.name}${issued.recipient.organisation ? ` (${issued.recipient.organisation})` : ''}`,
    validFrom: issued.voucher.validFrom, validUntil: issued.voucher.validUntil, maxDevices: issued.voucher.maxDevices,
  }];
  return (
    <>
      {issued !== null ? <div class="slip-sheet-host"><SlipSheet slips={slip} common={issued.common} timezone={tz} title={`Voucher for ${issued.recipient.name}`} onDone={() => setIssued(null)} /></div> : null}
      <div class={issued !== null ? 'no-print' : undefined}>
        <Notice kind="error">{loadError}</Notice>
        <Notice kind="success">{done}</Notice>
        <form ref={formRef} class="form voucher-form" noValidate onSubmit={submit} aria-labelledby="new-voucher">
          <h2 id="new-voucher">A voucher for a visitor</h2>
          <p>For someone visiting once (a contractor, a parent helper). It works for one visit, on the devices you allow; you print a slip with the code.</p>
          <Notice kind="error">{formError}</Notice>
          <div class="row">
            <TextField name="recipient/name" label="Visitor's name" value={name} onValue={setName} error={errors['recipient/name']} maxLength={120} autocomplete="off" />
            <TextField name="recipient/organisation" label="Organisation" required={false} value={organisation} onValue={setOrganisation} error={errors['recipient/organisation']} maxLength={120} autocomplete="off" />
          </div>
          <div class="row">
            <ChoiceField name="validSeconds" label="How long" value={howLong} options={HOW_LONG} onValue={setHowLong} error={errors.validSeconds} />
            <ChoiceField name="maxDevices" label="Devices" value={devices} options={['1', '2', '3'].map((n) => ({ value: n, label: n }))} onValue={setDevices} error={errors.maxDevices} />
          </div>
          <div class="actions"><Button type="submit" busy={busy}>Issue voucher</Button></div>
        </form>
        <DataTable<Voucher>
          caption="Vouchers issued for visitors"
          rows={rows}
          rowKey={(v) => String(v.id)}
          empty={list === null ? 'Loading…' : 'No voucher has been issued yet.'}
          initialSort={{ key: 'issued', direction: 'descending' }}
          columns={[
            { key: 'to', label: 'Given to', value: givenTo },
            { key: 'issued', label: 'Issued', value: (v) => v.issuedAt, render: (v) => `${when(v.issuedAt, tz)} by ${v.issuedBy.replace(/^account:/, '')}` },
            { key: 'until', label: 'Valid until', value: (v) => v.validUntil, render: (v) => when(v.validUntil, tz) },
            { key: 'devices', label: 'Devices now', numeric: true, value: (v) => v.devicesNow, render: (v) => `${v.devicesNow} of ${v.maxDevices}` },
            { key: 'status', label: 'Status', value: (v) => voucherStatus(v, tz).text, render: (v) => <span class={`status-${voucherStatus(v, tz).kind}`}>{voucherStatus(v, tz).text}</span> },
            { key: 'act', label: 'Action', sortable: false, value: () => '', render: (v) => voucherStatus(v, tz).kind === 'in-force'
              ? <button type="button" class="btn btn-secondary" onClick={() => setRevoking(v)}>Revoke<span class="visually-hidden"> the voucher for {givenTo(v)}</span>…</button> : null },
          ]}
        />
      </div>
      <RevokeDialog
        open={revoking !== null}
        title={`Revoke the voucher for ${revoking ? givenTo(revoking) : ''}?`}
        body="Every device signed in with it leaves the guest Wi-Fi at once, and the code stops working."
        confirmLabel="Revoke now"
        url={revoking ? `/api/vouchers/${revoking.id}/revoke` : ''}
        onDone={async () => { const text = `The voucher for ${revoking ? givenTo(revoking) : ''} is revoked.`; setRevoking(null); await load(); setDone(text); }}
        onCancel={() => setRevoking(null)}
      />
    </>
  );
}
