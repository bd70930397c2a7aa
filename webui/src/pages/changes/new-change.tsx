// Asking for a filtering change in writing: allow or block a site, on which networks (the staff
// networks ticked to start with: pupils keep standard filtering unless the head decides
// otherwise), for which device groups and devices (device-picker.tsx), until when, why, and what it
// risks. The weekly review's false-positive outcome opens it filled in (?allow=NAME&fromAlert=N, or
// block=); so does a block page's access request (?allow=NAME&network=ID&reason=…&fromAccessRequest=N),
// and the devices page for one device (?device=MAC&network=ID); the exceptions list's "end early"
// opens it to end one (?end=ID). Sending it tells the approvers at once.
import { useEffect, useState } from 'preact/hooks';
import type { ChangeRequestBody, ExceptionsPage, ExceptionView } from '../../../../firmware/admin/api/changes-schema.ts';
import type { DevicesPage } from '../../../../firmware/admin/api/devices-schema.ts';
import type { NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { CheckboxGroup, TextAreaField, TextField } from '../../components/field.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { when } from '../admin-format.ts';
import { DevicePicker, readMac, type KnownDevice } from './device-picker.tsx';
import { endOfDay, param, params } from './words.ts';
import { useSendChange } from './send-change.ts';
import './changes.css';

const WHY_MIN = 10;

interface Form {
  action: 'allow' | 'block';
  domain: string;
  networks: string[];
  groups: string[];
  devices: string[];
  /** A MAC typed but not yet added to `devices`. */
  deviceMac: string;
  until: string;
  rationale: string;
  riskNote: string;
}

/** Today in the school's time zone (YYYY-MM-DD), the earliest "until" a date field offers. */
const todayIn = (timezone: string): string => new Date().toLocaleDateString('en-CA', { timeZone: timezone });

export function NewChangePage({ search }: { search: string }) {
  const end = param(search, 'end');
  return end !== null ? <EndException id={end} /> : <NewException search={search} />;
}

/** The rationale and risk note every request carries; each request kind adds its own fields above them. */
function WhyFields({ form, setForm, errors }: { form: Pick<Form, 'rationale' | 'riskNote'>; setForm: (patch: Partial<Form>) => void; errors: Record<string, string> }) {
  return (
    <>
      <TextAreaField name="rationale" label="The educational reason" rows={3} maxLength={500} value={form.rationale} onValue={(rationale) => setForm({ rationale })}
        hint="What it is for: the lesson or topic, who needs it and when. It becomes the exception's reason." error={errors.rationale} />
      <TextAreaField name="riskNote" label="Benefit against risk" rows={3} maxLength={2000} value={form.riskNote} onValue={(riskNote) => setForm({ riskNote })}
        hint="Who could reach what through it, and why that is acceptable (supervised, for a short time, staff only)." error={errors.riskNote} />
    </>
  );
}

function whyProblems(form: Pick<Form, 'rationale' | 'riskNote'>): Record<string, string> {
  const problems: Record<string, string> = {};
  if (form.rationale.trim().length < WHY_MIN) problems.rationale = `say why the change is needed, at least ${WHY_MIN} characters`;
  if (form.riskNote.trim().length < WHY_MIN) problems.riskNote = `say who could reach what, and why that is acceptable, at least ${WHY_MIN} characters`;
  return problems;
}

/** Sends the request, then opens its page. */
function useSend() {
  const { navigate } = useApp();
  return useSendChange((made) => navigate(`/changes/request?id=${made.request.id}`, { flash: { kind: 'success', text: `Change request ${made.request.id} was sent: the approvers are told at once.` } }));
}

function NewException({ search }: { search: string }) {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const asked = param(search, 'block') !== null ? 'block' : 'allow';
  const fromAlert = Number(param(search, 'fromAlert')) || undefined;
  const fromAccessRequest = Number(param(search, 'fromAccessRequest')) || undefined;
  const [networks, setNetworks] = useState<NetworksView | null>(null);
  const [known, setKnown] = useState<KnownDevice[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  // A device named in the address (the devices page's link) is chosen already; one that is not a
  // MAC address stays typed, so the form says what is wrong with it.
  const named = params(search, 'device').map((text) => ({ text, read: readMac(text) }));
  const [form, setFormState] = useState<Form>({
    action: asked, domain: param(search, asked) ?? '', networks: [], groups: [],
    devices: [...new Set(named.flatMap((d) => ('mac' in d.read ? [d.read.mac] : [])))],
    deviceMac: named.find((d) => 'problem' in d.read)?.text ?? '', until: '', rationale: param(search, 'reason') ?? '', riskNote: '',
  });
  const setForm = (patch: Partial<Form>) => setFormState((f) => ({ ...f, ...patch }));
  const { errors, failed, busy, formRef, send } = useSend();

  useEffect(() => {
    api.get<NetworksView>('/api/networks').then((view) => {
      setNetworks(view);
      // The network the devices page or an access request named; otherwise the staff networks to
      // start with: widening to pupils is a choice the head approves.
      const asked = params(search, 'network').filter((id) => view.networks.some((n) => n.id === id));
      setForm({ networks: asked.length > 0 ? asked : view.networks.filter((n) => n.enabled && n.kind === 'staff').map((n) => n.id) });
    }, (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
    // The picker lists the devices to accounts that may see them; anyone may type a MAC address.
    if (session?.permissions.includes('devices.view') === true) {
      api.get<DevicesPage>('/api/devices').then((page) => {
        const groups = new Map(page.groups.map((g) => [g.id, g.name]));
        setKnown(page.devices.map((d) => ({ mac: d.mac, name: d.name || d.hostname, group: d.groupId === null ? null : groups.get(d.groupId) ?? d.groupId, networkId: d.networkId }))
          .sort((a, b) => (a.name || '\uffff').localeCompare(b.name || '\uffff') || a.mac.localeCompare(b.mac)));
      }, () => setKnown(null));
    }
  }, []);

  if (loadError !== null) return <Notice kind="error">Could not load the networks: {loadError}</Notice>;
  if (networks === null) return <p role="status">Loading…</p>;
  const beyondStaff = networks.networks.filter((n) => form.networks.includes(n.id) && n.kind !== 'staff');
  const forDevices = form.devices.length > 0 || form.deviceMac.trim() !== '';

  const submit = () => {
    const problems = whyProblems(form);
    const domain = form.domain.trim().toLowerCase().replace(/\.$/, '');
    if (domain === '') problems.domain = 'name the site, e.g. www.youtube.com';
    if (form.networks.length === 0) problems.networks = 'choose at least one network';
    // A MAC typed but not added goes with the request: it was meant.
    const devices = [...form.devices];
    if (form.deviceMac.trim() !== '') {
      const read = readMac(form.deviceMac);
      if ('problem' in read) problems.deviceMac = `${read.problem}; correct it or clear it`;
      else if (!devices.includes(read.mac)) devices.push(read.mac);
    }
    let expires: string | undefined;
    if (form.until !== '') {
      if (form.until < todayIn(tz)) problems.until = 'choose today or a later day';
      else expires = endOfDay(form.until, tz);
    }
    void send({
      proposal: {
        kind: 'exception', action: form.action, domain, networks: form.networks,
        ...(form.groups.length > 0 ? { groups: form.groups } : {}), ...(devices.length > 0 ? { devices } : {}),
        ...(expires !== undefined ? { expires } : {}),
      },
      rationale: form.rationale.trim(),
      riskNote: form.riskNote.trim(),
      ...(fromAlert !== undefined ? { fromAlert } : {}),
      ...(fromAccessRequest !== undefined ? { fromAccessRequest } : {}),
    }, problems);
  };

  return (
    <>
      <Notice kind="error">{failed}</Notice>
      <p>
        Ask for a site to be allowed through the filtering, or blocked, on some networks or for some devices. Two other people with approval rights agree before the
        IT provider applies it; you can follow it on <Link href="/changes">the change requests</Link>.
        {fromAlert !== undefined ? ` It comes from the weekly review's outcome for alert ${fromAlert}.` : ''}
        {fromAccessRequest !== undefined ? ' It answers a request for access made from the block page: their reason is filled in below; say it in your own words if needed.' : ''}
      </p>
      <form ref={formRef} class="card change-form" aria-label="Ask for a change" noValidate onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <ChoiceField name="action" label="What should happen" value={form.action} onValue={(v) => setForm({ action: v as Form['action'] })}
          options={[{ value: 'allow', label: 'Allow the site' }, { value: 'block', label: 'Block the site' }]} />
        <TextField name="domain" label="The site" value={form.domain} onValue={(domain) => setForm({ domain })} maxLength={253}
          hint="Its name only, e.g. www.youtube.com: the name and everything under it." error={errors.domain} />
        <CheckboxGroup name="networks" legend="On which networks" values={form.networks} onValues={(v) => setForm({ networks: v })} error={errors.networks}
          options={networks.networks.map((n) => ({ value: n.id, label: `${n.name}${n.enabled ? '' : ' (switched off)'}` }))}
          hint="The staff networks to start with: pupils keep the standard filtering unless the headteacher decides otherwise." />
        {form.action === 'allow' && beyondStaff.length > 0 && !forDevices ? (
          <p class="change-scope" role="status"><strong>Pupils are in scope: the headteacher must approve.</strong> {beyondStaff.map((n) => n.name).join(', ')} {beyondStaff.length === 1 ? 'is not a staff network' : 'are not staff networks'}.</p>
        ) : null}
        {networks.deviceGroups.length > 0 ? (
          <CheckboxGroup name="groups" legend="Only these device groups (optional)" values={form.groups} onValues={(v) => setForm({ groups: v })} error={errors.groups}
            options={networks.deviceGroups.map((g) => ({ value: g.id, label: g.name }))} hint="None ticked: every device on those networks." />
        ) : null}
        <DevicePicker chosen={form.devices} onChosen={(devices) => setForm({ devices })} known={known} error={errors.devices}
          typed={form.deviceMac} onTyped={(deviceMac) => setForm({ deviceMac })} typedError={errors.deviceMac} />
        {form.action === 'allow' && forDevices ? (
          <p class="change-scope" role="status"><strong>For named devices: the headteacher must approve.</strong> Every other device on {form.networks.length === 1 ? 'that network' : 'those networks'} keeps the standard filtering.</p>
        ) : null}
        <div class={`field${errors.until !== undefined ? ' field-invalid' : ''}`}>
          <label for="f-until">Until<span class="optional"> (optional)</span></label>
          <p id="f-until-hint" class="field-hint">The end of that day, in the school's time zone. Empty: until someone asks for it to end.</p>
          <input id="f-until" name="until" type="date" min={todayIn(tz)} value={form.until} onInput={(e) => setForm({ until: (e.currentTarget as HTMLInputElement).value })}
            aria-invalid={errors.until !== undefined ? 'true' : undefined} aria-describedby={`f-until-hint${errors.until !== undefined ? ' f-until-error' : ''}`} />
          {errors.until !== undefined ? <p id="f-until-error" class="field-error"><span class="visually-hidden">Error: </span>{errors.until}</p> : null}
        </div>
        <WhyFields form={form} setForm={setForm} errors={errors} />
        <Button type="submit" busy={busy}>Send for approval</Button>
      </form>
    </>
  );
}

function EndException({ id }: { id: string }) {
  const { api, session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const [exception, setException] = useState<ExceptionView | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setFormState] = useState({ rationale: '', riskNote: '' });
  const setForm = (patch: Partial<Form>) => setFormState((f) => ({ ...f, ...patch }));
  const { errors, failed, busy, formRef, send } = useSend();

  useEffect(() => {
    api.get<ExceptionsPage>('/api/exceptions').then((view) => setException(view.exceptions.find((x) => x.id === id) ?? null),
      (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, [id]);

  if (loadError !== null) return <Notice kind="error">Could not load the exceptions: {loadError}</Notice>;
  if (exception === undefined) return <p role="status">Loading…</p>;
  if (exception === null) return <p>There is no exception “{id}” now: it may have ended already. See <Link href="/policies">the acceptable-use page</Link>.</p>;
  return (
    <>
      <Notice kind="error">{failed}</Notice>
      <p>Ask for this exception to end before {exception.expires === null ? 'anyone asks otherwise' : `its expiry, ${when(exception.expires, tz)}`}. It ends when two approvers agree and the IT provider applies the request.</p>
      <section class="card" aria-labelledby="ending-h">
        <h2 id="ending-h">{exception.action === 'allow' ? 'Allowed' : 'Blocked'}: <span class="mono">{exception.domain}</span></h2>
        <p>Where: {exception.where}. Asked by {exception.requestedBy}{exception.changeRequest !== null ? <> (<Link href={`/changes/request?id=${exception.changeRequest}`}>change request {exception.changeRequest}</Link>)</> : null}.</p>
        <p>Why: {exception.reason}</p>
      </section>
      <form ref={formRef} class="card change-form" aria-label="Ask for the exception to end" noValidate
        onSubmit={(e) => { e.preventDefault(); void send({ proposal: { kind: 'exception-end', exceptionId: exception.id }, rationale: form.rationale.trim(), riskNote: form.riskNote.trim() }, whyProblems(form)); }}>
        <WhyFields form={form} setForm={setForm} errors={errors} />
        <Button type="submit" busy={busy}>Send for approval</Button>
      </form>
    </>
  );
}
