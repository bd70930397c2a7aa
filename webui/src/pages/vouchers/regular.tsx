// Regular visitors: a supply teacher for the term, a governor, a visiting specialist. The sponsor
// names them and gives access to the end of the term (from the school's term dates) or to a
// date, and prints their slip (the code is shown once); renews it before or after it lapses (the
// same code works again); ends it with a reason. The DSL sees every one, with the sponsor.
import { useState } from 'preact/hooks';
import type { RegularCreated, RegularList, RegularUntil, RegularVisitor, RegularVisitorForm } from '../../../../firmware/admin/api/vouchers-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
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

/** "End of term" or a date: the radio pair both the new-visitor form and renewal use. */
function UntilField({ name, choice, date, onChoice, onDate, error }: { name: string; choice: 'term' | 'date'; date: string; onChoice: (c: 'term' | 'date') => void; onDate: (d: string) => void; error?: string | undefined }) {
  const id = `f-${name}`;
  return (
    <fieldset class={`field${error !== undefined ? ' field-invalid' : ''}`} aria-describedby={error !== undefined ? `${id}-error` : undefined}>
      <legend>Until</legend>
      <label class="choice"><input type="radio" name={`${name}-kind`} checked={choice === 'term'} onChange={() => onChoice('term')} /> The end of this term</label>
      <label class="choice"><input type="radio" name={`${name}-kind`} checked={choice === 'date'} onChange={() => onChoice('date')} /> A date</label>
      {choice === 'date'
        ? <div><label for={`${id}-date`}>Last day</label> <input id={`${id}-date`} type="date" value={date} onInput={(e) => onDate((e.currentTarget as HTMLInputElement).value)} aria-invalid={error !== undefined ? 'true' : undefined} /></div>
        : null}
      {error !== undefined ? <p id={`${id}-error`} class="field-error"><span class="visually-hidden">Error: </span>{error}</p> : null}
    </fieldset>
  );
}

const untilOf = (choice: 'term' | 'date', date: string): RegularUntil => (choice === 'term' ? { term: 'current' } : { date });

export function RegularVisitorsPage() {
  const { api, session } = useApp();
  const { data: list, error: loadError, reload: load } = useLoaded<RegularList>('/api/visitors/regular', null);
  const tz = session?.site.timezone ?? 'Europe/London';
  const manage = session?.permissions.includes('visitors.manage') ?? false;
  const [name, setName] = useState('');
  const [organisation, setOrganisation] = useState('');
  const [purpose, setPurpose] = useState('');
  const [choice, setChoice] = useState<'term' | 'date'>('term');
  const [date, setDate] = useState('');
  const [devices, setDevices] = useState('2');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [created, setCreated] = useState<RegularCreated | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [ending, setEnding] = useState<RegularVisitor | null>(null);
  const [renewing, setRenewing] = useState<RegularVisitor | null>(null);
  const [renewChoice, setRenewChoice] = useState<'term' | 'date'>('term');
  const [renewDate, setRenewDate] = useState('');
  const [renewError, setRenewError] = useState<string | undefined>(undefined);
  const formRef = useFocusFirstError(errors, attempt);


  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    if (name.trim() === '') found.name = 'Write the visitor\'s name.';
    if (organisation.trim() === '') found.organisation = 'Write who they are from (their agency, the council, "Governor").';
    if (purpose.trim() === '') found.purpose = 'Say why they visit: it is kept with their record.';
    if (choice === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(date)) found.until = 'Choose the last day.';
    setErrors(found);
    setFormError(null);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const body: RegularVisitorForm = { name: name.trim(), organisation: organisation.trim(), purpose: purpose.trim(), until: untilOf(choice, date), maxDevices: Number(devices) };
      setCreated(await api.post<RegularCreated>('/api/visitors/regular', body));
      setName('');
      setOrganisation('');
      setPurpose('');
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

  const renew = async () => {
    if (renewing === null) return;
    if (renewChoice === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(renewDate)) { setRenewError('Choose the last day.'); return; }
    try {
      const r = await api.post<RegularVisitor>(`/api/visitors/regular/${renewing.voucher.id}/renew`, { until: untilOf(renewChoice, renewDate) });
      setDone(`${r.visitor.name} can use the guest Wi-Fi until ${when(r.voucher.validUntil, tz)}, with the code they have.`);
      setRenewing(null);
      void load();
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      setRenewError(err.fields.until ?? err.message);
    }
  };

  const visitors = list?.visitors ?? [];
  const sheet = created === null ? [] : [{
    slip: created.slip, forWhom: `${created.issued.visitor.name} (${created.issued.visitor.organisation ?? ''})`,
    validFrom: created.issued.voucher.validFrom, validUntil: created.issued.voucher.validUntil, maxDevices: created.issued.voucher.maxDevices,
  }];
  return (
    <>
      {created !== null ? <div class="slip-sheet-host"><SlipSheet slips={sheet} common={created.common} timezone={tz} title={`Access for ${created.issued.visitor.name}${created.issued.term ? ` to the end of ${created.issued.term}` : ''}`} onDone={() => setCreated(null)} /></div> : null}
      <div class={created !== null ? 'no-print' : undefined}>
        <Notice kind="error">{loadError}</Notice>
        <Notice kind="success">{done}</Notice>
        <form ref={formRef} class="form voucher-form" noValidate onSubmit={submit} aria-labelledby="new-regular">
          <h2 id="new-regular">A regular visitor</h2>
          <p>Someone who comes often (a supply teacher this term, a governor): one code of their own, kept while you renew it. You are their sponsor.</p>
          <Notice kind="error">{formError}</Notice>
          <div class="row">
            <TextField name="name" label="Name" value={name} onValue={setName} error={errors.name} maxLength={120} autocomplete="off" />
            <TextField name="organisation" label="Organisation" value={organisation} onValue={setOrganisation} error={errors.organisation} maxLength={120} autocomplete="off" />
          </div>
          <TextField name="purpose" label="Why they visit" value={purpose} onValue={setPurpose} error={errors.purpose} maxLength={300} autocomplete="off" />
          <div class="row">
            <UntilField name="until" choice={choice} date={date} onChoice={setChoice} onDate={setDate} error={errors.until} />
            <ChoiceField name="maxDevices" label="Devices" value={devices} options={['1', '2', '3'].map((n) => ({ value: n, label: n }))} onValue={setDevices} error={errors.maxDevices} />
          </div>
          <div class="actions"><Button type="submit" busy={busy}>Give access</Button></div>
        </form>
        <h2>{manage ? 'Every regular visitor' : 'Your regular visitors'}</h2>
        {list !== null && visitors.length === 0 ? <p>No regular visitors yet.</p> : null}
        <ul class="card-list">
          {visitors.map((r) => {
            const status = voucherStatus(r.voucher, tz);
            return (
              <li key={r.voucher.id} class="card">
                <h3>{r.visitor.name}</h3>
                <dl class="facts">
                  <dt>Organisation</dt><dd>{r.visitor.organisation}</dd>
                  <dt>Why</dt><dd>{r.visitor.purpose}</dd>
                  <dt>Sponsor</dt><dd>{r.visitor.sponsorName ?? r.visitor.sponsorAccount}</dd>
                  <dt>Access</dt><dd>{status.kind === 'in-force' ? `Until ${when(r.voucher.validUntil, tz)}` : status.kind === 'ended' ? `Lapsed ${when(r.voucher.validUntil, tz)}` : status.text}</dd>
                  <dt>Devices now</dt><dd>{r.voucher.devicesNow} of {r.voucher.maxDevices}</dd>
                </dl>
                {status.kind !== 'revoked'
                  ? <div class="actions">
                      <Button kind="secondary" onClick={() => { setRenewing(r); setRenewChoice('term'); setRenewDate(''); setRenewError(undefined); }}>Renew {r.visitor.name}'s access…</Button>
                      {status.kind !== 'ended' ? <Button kind="danger" onClick={() => setEnding(r)}>End {r.visitor.name}'s access…</Button> : null}
                    </div>
                  : null}
              </li>
            );
          })}
        </ul>
      </div>
      <ConfirmDialog open={renewing !== null} title={`Renew ${renewing?.visitor.name ?? ''}'s access`} confirmLabel="Renew" onConfirm={() => void renew()} onCancel={() => setRenewing(null)}>
        <p>The code they have keeps working; devices signed in now keep going.</p>
        <UntilField name="renew-until" choice={renewChoice} date={renewDate} onChoice={setRenewChoice} onDate={setRenewDate} error={renewError} />
      </ConfirmDialog>
      <RevokeDialog
        open={ending !== null}
        title={`End ${ending?.visitor.name ?? ''}'s access?`}
        body="Every device of this visitor leaves the guest Wi-Fi at once, and their code stops working for good."
        confirmLabel="End access now"
        url={ending ? `/api/visitors/regular/${ending.voucher.id}/withdraw` : ''}
        onDone={async () => { const text = `${ending?.visitor.name ?? ''}'s access has ended on every device.`; setEnding(null); await load(); setDone(text); }}
        onCancel={() => setEnding(null)}
      />
    </>
  );
}
