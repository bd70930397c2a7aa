// Vouchers for a group or an event (a course, parents at a performance): a member of staff
// pre-issues up to 200 as their sponsor and prints the sheet (one slip per code, shown once);
// the group is recorded as one (who, when, what for) and revoked as one.
import { useState } from 'preact/hooks';
import type { GroupForm, GroupIssued, GroupList, VoucherGroup } from '../../../../firmware/admin/api/vouchers-schema.ts';
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
import { SlipSheet } from './slip.tsx';
import { voucherStatus } from './status.ts';
import './vouchers.css';

/** A datetime-local value (the browser's own time) for `d`, to the minute. */
function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function DateTimeField(props: { name: string; label: string; value: string; onValue: (v: string) => void; error?: string | undefined }) {
  const id = `f-${props.name}`;
  return (
    <div class={`field${props.error !== undefined ? ' field-invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      <input id={id} name={props.name} type="datetime-local" value={props.value} onInput={(e) => props.onValue((e.currentTarget as HTMLInputElement).value)}
        aria-invalid={props.error !== undefined ? 'true' : undefined} aria-describedby={props.error !== undefined ? `${id}-error` : undefined} />
      {props.error !== undefined ? <p id={`${id}-error`} class="field-error"><span class="visually-hidden">Error: </span>{props.error}</p> : null}
    </div>
  );
}

export function GroupVouchersPage() {
  const { api, session } = useApp();
  const { data: list, error: loadError, reload: load } = useLoaded<GroupList>('/api/vouchers/groups', null);
  const tz = session?.site.timezone ?? 'Europe/London';
  const start = new Date();
  const [name, setName] = useState('');
  const [from, setFrom] = useState(localInput(start));
  const [until, setUntil] = useState(localInput(new Date(start.getTime() + 3 * 3600_000)));
  const [count, setCount] = useState('20');
  const [devices, setDevices] = useState('1');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [issued, setIssued] = useState<GroupIssued | null>(null);
  const [revoking, setRevoking] = useState<VoucherGroup | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const formRef = useFocusFirstError(errors, attempt);


  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    const n = Number(count);
    if (name.trim() === '') found.name = 'Name the event or group: it is kept with the vouchers.';
    if (!/^\d+$/.test(count.trim()) || n < 1 || n > 200) found.count = 'From 1 to 200 vouchers.';
    const fromDate = new Date(from);
    const untilDate = new Date(until);
    if (Number.isNaN(fromDate.getTime())) found.validFrom = 'Give the date and time they start.';
    if (Number.isNaN(untilDate.getTime())) found.validUntil = 'Give the date and time they end.';
    else if (!found.validFrom && untilDate.getTime() <= Math.max(fromDate.getTime(), Date.now())) found.validUntil = 'Choose an end after the start, and later than now.';
    setErrors(found);
    setFormError(null);
    setAttempt((k) => k + 1);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const body: GroupForm = { name: name.trim(), count: n, validFrom: fromDate.toISOString(), validUntil: untilDate.toISOString(), maxDevices: Number(devices) };
      setIssued(await api.post<GroupIssued>('/api/vouchers/groups', body));
      void load();
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      setErrors(err.fields);
      setFormError(err.message);
      setAttempt((k) => k + 1);
    } finally {
      setBusy(false);
    }
  };

  const slips = issued === null ? [] : issued.slips.map((slip, k) => ({
    slip, forWhom: `${issued.group.name} · ${k + 1} of ${issued.slips.length}`, validFrom: issued.group.validFrom, validUntil: issued.group.validUntil, maxDevices: issued.group.maxDevices,
  }));
  return (
    <>
      {issued !== null ? <div class="slip-sheet-host"><SlipSheet slips={slips} common={issued.common} timezone={tz} title={`${issued.group.count} vouchers for ${issued.group.name}`} onDone={() => setIssued(null)} /></div> : null}
      <div class={issued !== null ? 'no-print' : undefined}>
        <Notice kind="error">{loadError}</Notice>
        <Notice kind="success">{done}</Notice>
        <form ref={formRef} class="form voucher-form" noValidate onSubmit={submit} aria-labelledby="new-group">
          <h2 id="new-group">Vouchers for a group or event</h2>
          <p>You are their sponsor: the vouchers are recorded under your name. Each code works only between the times you give, on the devices you allow.</p>
          <Notice kind="error">{formError}</Notice>
          <TextField name="name" label="Event or group" value={name} onValue={setName} error={errors.name} maxLength={120} autocomplete="off" hint="For example: Year 6 leavers' assembly, or First aid course" />
          <div class="row">
            <DateTimeField name="validFrom" label="From" value={from} onValue={setFrom} error={errors.validFrom} />
            <DateTimeField name="validUntil" label="Until" value={until} onValue={setUntil} error={errors.validUntil} />
          </div>
          <div class="row">
            <TextField name="count" label="How many vouchers" inputMode="numeric" value={count} onValue={setCount} error={errors.count} maxLength={3} hint="Up to 200, one per person" />
            <ChoiceField name="maxDevices" label="Devices per voucher" value={devices} options={['1', '2', '3'].map((k) => ({ value: k, label: k }))} onValue={setDevices} error={errors.maxDevices} />
          </div>
          <div class="actions"><Button type="submit" busy={busy}>Issue vouchers</Button></div>
        </form>
        <DataTable<VoucherGroup>
          caption={session?.permissions.includes('vouchers.issue') || session?.permissions.includes('visitors.manage') ? 'Groups and events' : 'Your groups and events'}
          rows={list?.groups ?? []}
          rowKey={(g) => String(g.id)}
          empty={list === null ? 'Loading…' : 'No vouchers have been issued for a group yet.'}
          initialSort={{ key: 'issued', direction: 'descending' }}
          columns={[
            { key: 'name', label: 'Event or group', value: (g) => g.name },
            { key: 'sponsor', label: 'Sponsor', value: (g) => g.issuedBy.replace(/^account:/, '') },
            { key: 'issued', label: 'Issued', value: (g) => g.issuedAt, render: (g) => when(g.issuedAt, tz) },
            { key: 'window', label: 'Valid', value: (g) => g.validFrom, render: (g) => `${when(g.validFrom, tz)} to ${when(g.validUntil, tz)}` },
            { key: 'count', label: 'Vouchers', numeric: true, value: (g) => g.count },
            { key: 'devices', label: 'Devices now', numeric: true, value: (g) => g.devicesNow },
            { key: 'status', label: 'Status', value: (g) => voucherStatus(g, tz).text },
            { key: 'act', label: 'Action', sortable: false, value: () => '', render: (g) => voucherStatus(g, tz).kind === 'in-force' || voucherStatus(g, tz).kind === 'not-yet'
              ? <button type="button" class="btn btn-secondary" onClick={() => setRevoking(g)}>Revoke all<span class="visually-hidden"> vouchers for {g.name}</span>…</button> : null },
          ]}
        />
      </div>
      <RevokeDialog
        open={revoking !== null}
        title={`Revoke every voucher for ${revoking?.name ?? ''}?`}
        body="Every device signed in with any of them leaves the guest Wi-Fi at once, and none of the codes works again."
        confirmLabel="Revoke all now"
        url={revoking ? `/api/vouchers/groups/${revoking.id}/revoke` : ''}
        onDone={async () => { const text = `Every voucher for ${revoking?.name ?? ''} is revoked.`; setRevoking(null); await load(); setDone(text); }}
        onCancel={() => setRevoking(null)}
      />
    </>
  );
}
