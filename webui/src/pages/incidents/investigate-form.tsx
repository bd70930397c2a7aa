// "Investigate a device" under an open incident: the device (the one the incident's alert or report
// names, else chosen from the known devices), the policy it has meanwhile, for how long (3 days to
// start with, at most 14), why, and the benefit against the risk. It asks through change control:
// nothing changes until two senior accounts (each a head or a DSL) approve, the second approval
// starting it, so the page then links to the request rather than saying the device is under
// investigation.
import { useEffect, useState } from 'preact/hooks';
import type { ChangeRequestBody } from '../../../../firmware/admin/api/changes-schema.ts';
import type { DevicesPage } from '../../../../firmware/admin/api/devices-schema.ts';
import type { Incident } from '../../../../firmware/admin/api/incidents-schema.ts';
import type { AupTables } from '../../../../firmware/admin/api/policy-schema.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { TextAreaField } from '../../components/field.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { errorsOf, when } from '../admin-format.ts';
import { useSendChange } from '../changes/send-change.ts';
import { deviceWords, INVESTIGATION_DAYS, INVESTIGATION_DAYS_DEFAULT, REDUCED_FILTERING_HINT, SENIOR_APPROVERS_WORDS, untilAfter } from './investigation-words.ts';

const WHY_MIN = 10;

interface Choices {
  devices: { value: string; label: string }[];
  policies: { value: string; label: string }[];
}

/** The MAC the incident's alert or report names, when it names one. */
export function incidentDevice(incident: Incident): string | null {
  return incident.alert?.mac ?? incident.report?.mac ?? null;
}

export function InvestigateForm({ incident }: { incident: Incident }) {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const named = incidentDevice(incident);
  const [choices, setChoices] = useState<Choices | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setFormState] = useState({ device: named ?? '', policy: '', days: String(INVESTIGATION_DAYS_DEFAULT), rationale: '', riskNote: '' });
  const setForm = (patch: Partial<typeof form>) => setFormState((f) => ({ ...f, ...patch }));
  const [sent, setSent] = useState<number | null>(null);
  const { errors, failed, busy, formRef, send } = useSendChange((made) => {
    setSent(made.request.id);
    setForm({ rationale: '', riskNote: '' });
  });

  useEffect(() => {
    Promise.all([api.get<DevicesPage>('/api/devices'), api.get<AupTables>('/api/policies')]).then(([devices, policies]) => {
      const known = devices.devices.map((d) => ({ value: d.mac, label: deviceWords(d.mac, d.name || d.hostname) }));
      // The incident's device stays choosable even when it is not (or no longer) among the known ones.
      if (named !== null && !known.some((d) => d.value === named)) known.unshift({ value: named, label: deviceWords(named, incident.alert?.device) });
      setChoices({ devices: known, policies: policies.policies.map((p) => ({ value: p.id, label: p.name })) });
    }, (e: unknown) => setLoadError(errorsOf(e).message));
  }, []);

  if (loadError !== null) return <Notice kind="error">{`Could not load the devices and policies for an investigation: ${loadError}`}</Notice>;
  if (choices === null) return <p role="status">Loading the devices and policies…</p>;
  const until = untilAfter(Number(form.days), new Date());

  const submit = async () => {
    setSent(null);
    const problems: Record<string, string> = {};
    if (form.device === '') problems.device = 'choose the device to investigate';
    if (form.policy === '') problems.policy = 'choose the policy the device has meanwhile';
    if (form.rationale.trim().length < WHY_MIN) problems.rationale = `say why the device must be investigated, at least ${WHY_MIN} characters`;
    if (form.riskNote.trim().length < WHY_MIN) problems.riskNote = `say what the reduced filtering risks, and why that is acceptable, at least ${WHY_MIN} characters`;
    const body: ChangeRequestBody = {
      proposal: { kind: 'investigation', incidentId: incident.id, device: form.device, policy: form.policy, until: untilAfter(Number(form.days), new Date()) },
      rationale: form.rationale.trim(),
      riskNote: form.riskNote.trim(),
    };
    await send(body, problems);
  };

  return (
    <form ref={formRef} class="entry-form investigate-form no-print" aria-labelledby="investigate-h" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3 id="investigate-h">Investigate a device</h3>
      <p class="field-hint">
        For a while, the device gets the policy chosen here and every name it looks up is kept as evidence on this incident.
        It is a change request: {SENIOR_APPROVERS_WORDS}, neither of them you, must approve it; the second approval starts it.
      </p>
      <Notice kind="error">{failed}</Notice>
      <Notice kind="success">{sent !== null ? (
        <>Change request {sent} was sent: the approvers are told at once. <Link href={`/changes/request?id=${sent}`}>Follow change request {sent}</Link>.</>
      ) : null}</Notice>
      <ChoiceField name="device" label="The device" value={form.device} onValue={(device) => setForm({ device })} error={errors.device}
        hint={named !== null ? 'The device the incident names, to start with.' : 'A device the gateway knows, by its name and MAC.'}
        options={[{ value: '', label: 'Choose…' }, ...choices.devices]} />
      <ChoiceField name="policy" label="The policy meanwhile" value={form.policy} onValue={(policy) => setForm({ policy })} error={errors.policy}
        hint={REDUCED_FILTERING_HINT} options={[{ value: '', label: 'Choose…' }, ...choices.policies]} />
      <ChoiceField name="until" label="For how long" value={form.days} onValue={(days) => setForm({ days })} error={errors.until}
        hint={`Until ${when(until, tz)} if it were applied now; at most 14 days. It can be ended sooner.`}
        options={INVESTIGATION_DAYS.map((d) => ({ value: String(d), label: `${d} day${d === 1 ? '' : 's'}` }))} />
      <TextAreaField name="rationale" label="Why" rows={3} maxLength={500} value={form.rationale} onValue={(rationale) => setForm({ rationale })} error={errors.rationale}
        hint="The concern, and what the investigation should find out." />
      <TextAreaField name="riskNote" label="Benefit against risk" rows={3} maxLength={2000} value={form.riskNote} onValue={(riskNote) => setForm({ riskNote })} error={errors.riskNote}
        hint="What the device could reach meanwhile, and why that is acceptable (who uses it, who watches)." />
      <Button type="submit" busy={busy}>Send for approval</Button>
    </form>
  );
}
