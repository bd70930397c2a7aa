// One network in full, new or as configured: its name and kind, Wi-Fi name and policy, and its
// addressing (interface, VLAN, subnets, the gateway's address, the range DHCP hands out). The
// server runs `schoolgate config validate`'s checks on the whole configuration; each message comes
// back under the form's own field name and lands beside it, with everything typed kept. Changing
// the addressing of a network in use moves every device on it, so that asks first. Its policy, and
// its P2P and hotspot blocks switched off, are filtering changes: sent for approval, with why.
import { useState } from 'preact/hooks';
import type { NetworkBody, NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import type { Network } from '../../../../firmware/config/schema.ts';
import { loosenedBlocks } from '../../../../firmware/control/changes/widening.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { ChangeWhy, NO_WHY, whyBody, whyProblems, type Why } from '../../components/change-why.tsx';
import { OutcomeNotice } from '../../components/request-sent.tsx';
import type { SaveOutcome } from './use-networks.ts';

const KINDS = [
  { value: 'staff', label: 'Staff' },
  { value: 'pupil', label: 'Pupils' },
  { value: 'guest', label: 'Guests (visitor portal)' },
  { value: 'school-devices', label: 'School devices' },
  { value: 'management', label: 'Management (switches, access points)' },
];

interface Draft {
  id: string; name: string; kind: string; ssid: string; policy: string; enabled: boolean;
  iface: string; vlan: string; subnets: string; gw4: string; gw6: string;
  dhcpOn: boolean; first: string; last: string; lease: string; tethering: string; p2p: string;
}

/** The configuration's bounds for a lease (NetworkDhcp.leaseSeconds), in the minutes the form asks for. */
const LEASE_MINUTES = { min: 2, max: 7 * 24 * 60 };

/** What is wrong with the lease time typed, in minutes; undefined when it is fine or left empty (kept as it is). */
export function leaseProblem(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t)) return 'Enter the lease time as a whole number of minutes, e.g. 60 for an hour.';
  const n = Number(t);
  if (n < LEASE_MINUTES.min || n > LEASE_MINUTES.max) return `A lease lasts from ${LEASE_MINUTES.min} minutes to 7 days (${LEASE_MINUTES.max} minutes).`;
  return undefined;
}

function draftOf(n: Network | undefined, policy: string): Draft {
  const pool = n?.dhcp?.pools[0];
  return {
    id: '', name: n?.name ?? '', kind: n?.kind ?? 'pupil', ssid: n?.ssid ?? '', policy: n?.policy ?? policy, enabled: n?.enabled ?? true,
    iface: n?.interface ?? '', vlan: n?.vlan !== undefined ? String(n.vlan) : '', subnets: n?.subnets.join(', ') ?? '',
    gw4: n?.gateway.ipv4 ?? '', gw6: n?.gateway.ipv6 ?? '', dhcpOn: n?.dhcp?.enabled ?? false, first: pool?.first ?? '', last: pool?.last ?? '',
    lease: n?.dhcp ? String(Math.round(n.dhcp.leaseSeconds / 60)) : '',
    tethering: n?.tethering ?? 'monitor', p2p: n?.p2p ?? (n === undefined || n.kind === 'pupil' || n.kind === 'guest' ? 'block' : 'allow'),
  };
}

/** The body as the API takes it; what does not parse is sent as typed, so the server's message names it. */
export function bodyOf(d: Draft): NetworkBody {
  const vlan = d.vlan.trim();
  const dhcp = d.dhcpOn || d.first.trim() !== '' || d.last.trim() !== '';
  return {
    name: d.name.trim(), kind: d.kind as NetworkBody['kind'], enabled: d.enabled, policy: d.policy,
    ...(d.ssid.trim() ? { ssid: d.ssid.trim() } : {}),
    interface: d.iface.trim(),
    ...(vlan ? { vlan: (/^\d+$/.test(vlan) ? Number(vlan) : vlan) as number } : {}),
    subnets: d.subnets.split(/[\s,]+/).filter((x) => x !== ''),
    gateway: { ...(d.gw4.trim() ? { ipv4: d.gw4.trim() } : {}), ...(d.gw6.trim() ? { ipv6: d.gw6.trim() } : {}) },
    ...(dhcp ? { dhcp: { enabled: d.dhcpOn, first: d.first.trim(), last: d.last.trim(), ...(/^\d+$/.test(d.lease.trim()) ? { leaseSeconds: Number(d.lease.trim()) * 60 } : {}) } } : {}),
    tethering: d.tethering as NetworkBody['tethering'], p2p: d.p2p as NetworkBody['p2p'],
  };
}

const addressing = (d: Draft) => [d.iface, d.vlan, d.subnets, d.gw4, d.gw6, d.first, d.last].map((x) => x.trim()).join('|');

export function NetworkForm({ network, view, submit, onClose, submitLabel }: {
  /** Absent: a new network. */
  network?: Network | undefined;
  view: NetworksView;
  submit: (body: NetworkBody & { id?: string } & Partial<Why>) => Promise<SaveOutcome>;
  onClose?: () => void;
  submitLabel?: string;
}) {
  // A new network starts with the policy named for its kind, when there is one (the shipped ones are).
  const policyFor = (kind: string) => view.policies.find((p) => p.id === kind)?.id ?? view.policies[0]?.id ?? '';
  const [d, setD] = useState<Draft>(() => draftOf(network, policyFor('pupil')));
  const [policyTouched, setPolicyTouched] = useState(network !== undefined);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [why, setWhy] = useState<Why>(NO_WHY);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const fields = outcome?.fields ?? {};
  const formRef = useFocusFirstError(fields, attempt);
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const title = network ? `Change ${network.name}` : 'Add a network';
  const headingId = network ? `net-edit-${network.id}-h` : 'net-add-h';

  // Which policy an existing network uses is a filtering change: a change request, with why.
  const policyChanged = network !== undefined && d.policy !== network.policy;
  const policyName = (id: string) => view.policies.find((p) => p.id === id)?.name ?? id;
  // Turning a block off loosens a safeguarding control; turning one on saves at once.
  const loosened = network === undefined ? {} : loosenedBlocks(network, { kind: d.kind as Network['kind'], p2p: d.p2p as Network['p2p'], tethering: d.tethering as Network['tethering'] });
  const changes = [
    ...(policyChanged && network ? [`giving ${network.name} the ${policyName(d.policy)} policy instead of ${policyName(network.policy)}`] : []),
    ...(loosened.p2p ? ['letting peer-to-peer file sharing through'] : []),
    ...(loosened.tethering ? [loosened.tethering.to === 'off' ? 'no longer looking for hotspots' : 'recording hotspots instead of blocking them'] : []),
  ];
  const filteringChanged = changes.length > 0;
  const what = changes.join('; ');
  const send = async () => {
    setAsking(false);
    setBusy(true);
    const result = await submit(network ? { ...bodyOf(d), ...whyBody(filteringChanged, why) } : { id: d.id.trim(), ...bodyOf(d) });
    setBusy(false);
    setOutcome(result);
    setAttempt((a) => a + 1);
    // What is filtered stays as it is until the request is applied: the form shows it again.
    if (result.ok && network) {
      const kept = draftOf(network, network.policy);
      setD({ ...d, policy: network.policy, ...(loosened.p2p ? { p2p: kept.p2p } : {}), ...(loosened.tethering ? { tethering: kept.tethering } : {}) });
      setWhy(NO_WHY);
    }
  };
  const onSubmit = (e: Event) => {
    e.preventDefault();
    // Minutes are the form's own unit: checked here, so the message speaks in them (the server
    // checks again, in the configuration's seconds).
    const lease = leaseProblem(d.lease);
    const missing = { ...(lease !== undefined ? { 'dhcp/leaseMinutes': lease } : {}), ...(filteringChanged ? whyProblems(why) : {}) };
    if (Object.keys(missing).length > 0) {
      const n = Object.keys(missing).length;
      setOutcome({ ok: false, message: `Nothing was saved: ${n === 1 ? 'one problem' : `${n} problems`} to put right first.`, fields: missing });
      setAttempt((a) => a + 1);
      return;
    }
    if (network && addressing(d) !== addressing(draftOf(network, network.policy))) setAsking(true);
    else void send();
  };

  return (
    <form ref={formRef} class="card network-form" onSubmit={onSubmit} noValidate aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      <OutcomeNotice kind={outcome === null ? 'info' : outcome.ok ? 'success' : 'error'} request={outcome?.request}>{outcome?.message}</OutcomeNotice>
      <div class="grid-3">
        {network ? null : <TextField name="id" label="Short name (lower case, e.g. library)" value={d.id} onValue={(v) => set({ id: v })} error={fields.id} spellcheck={false} />}
        <TextField name="name" label="Name" value={d.name} onValue={(v) => set({ name: v })} error={fields.name} />
        <ChoiceField name="kind" label="Kind" value={d.kind} options={KINDS} onValue={(v) => set(policyTouched ? { kind: v } : { kind: v, policy: policyFor(v) })} error={fields.kind} />
        <TextField name="ssid" label="Wi-Fi name (SSID)" value={d.ssid} onValue={(v) => set({ ssid: v })} error={fields.ssid} required={false} />
        <ChoiceField name="policy" label="Policy" value={d.policy} options={view.policies.map((p) => ({ value: p.id, label: p.name }))} onValue={(v) => { setPolicyTouched(true); set({ policy: v }); }} error={fields.policy} />
      </div>
      <label class="checkbox"><input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: (e.currentTarget as HTMLInputElement).checked })} /><span>This network is on</span></label>
      <fieldset class="grid-3 addressing">
        <legend>Addressing</legend>
        <TextField name="interface" label="Interface (e.g. eth1)" value={d.iface} onValue={(v) => set({ iface: v })} error={fields.interface} spellcheck={false} />
        <TextField name="vlan" label="VLAN id (1–4094)" value={d.vlan} onValue={(v) => set({ vlan: v })} error={fields.vlan} inputMode="numeric" required={false} />
        <TextField name="subnets" label="Subnets (e.g. 10.20.0.0/16; commas between several)" value={d.subnets} onValue={(v) => set({ subnets: v })} error={fields.subnets} spellcheck={false} />
        <TextField name="gateway/ipv4" label="Gateway's IPv4 address" value={d.gw4} onValue={(v) => set({ gw4: v })} error={fields['gateway/ipv4']} spellcheck={false} required={false} />
        <TextField name="gateway/ipv6" label="Gateway's IPv6 address" value={d.gw6} onValue={(v) => set({ gw6: v })} error={fields['gateway/ipv6']} spellcheck={false} required={false} />
      </fieldset>
      <fieldset class="grid-3 addressing">
        <legend>DHCP: the addresses handed out</legend>
        <label class="checkbox"><input type="checkbox" checked={d.dhcpOn} aria-invalid={fields['dhcp/enabled'] ? 'true' : undefined}
          onChange={(e) => set({ dhcpOn: (e.currentTarget as HTMLInputElement).checked })} /><span>The gateway hands out addresses here</span></label>
        {fields['dhcp/enabled'] ? <p class="field-error">{fields['dhcp/enabled']}</p> : null}
        <TextField name="dhcp/first" label="First address" value={d.first} onValue={(v) => set({ first: v })} error={fields['dhcp/first']} spellcheck={false} required={false} />
        <TextField name="dhcp/last" label="Last address" value={d.last} onValue={(v) => set({ last: v })} error={fields['dhcp/last']} spellcheck={false} required={false} />
        <TextField name="dhcp/leaseMinutes" label="Lease time (minutes)" value={d.lease} onValue={(v) => set({ lease: v })} error={fields['dhcp/leaseMinutes']} inputMode="numeric" required={false}
          hint="how long a device keeps its address before it must renew: 60 is an hour, 1440 a day; empty keeps it as it is (an hour for a new network)" />
      </fieldset>
      <div class="grid-3">
        <SelectField name="tethering" label="Hotspots (a device sharing its connection)" value={d.tethering} options={['monitor', 'block', 'off']} onValue={(v) => set({ tethering: v })} error={fields.tethering} />
        <SelectField name="p2p" label="Peer-to-peer file sharing" value={d.p2p} options={['block', 'allow']} onValue={(v) => set({ p2p: v })} error={fields.p2p} />
      </div>
      {filteringChanged && network ? (
        <ChangeWhy what={`${what.charAt(0).toUpperCase()}${what.slice(1)}${policyChanged ? '' : ` on ${network.name}`}`} why={why} setWhy={setWhy} errors={fields} idPrefix={`net-${network.id}`} />
      ) : null}
      {Object.keys(fields).filter((k) => !FORM_FIELDS.has(k)).map((k) => <p key={k} class="field-error">{k}: {fields[k]}</p>)}
      <div class="actions">
        <Button type="submit" busy={busy}>{submitLabel ?? (network ? (filteringChanged ? `Save ${network.name} and send ${policyChanged && changes.length === 1 ? 'its policy' : 'the filtering change'} for approval` : `Save ${network.name}`) : 'Add the network')}</Button>
        {onClose ? <Button kind="secondary" onClick={onClose}>Close</Button> : null}
      </div>
      <ConfirmDialog open={asking} title={`Change the addressing of ${network?.name ?? ''}?`} confirmLabel="Change the addressing" onConfirm={() => void send()} onCancel={() => setAsking(false)}>
        <p>Every device on this network moves: each gets a new address when it next renews, and one with a reservation or a fixed address may lose its connection until it does. Check the switches and access points carry the new VLAN first.</p>
      </ConfirmDialog>
    </form>
  );
}

/** The fields this form shows; a message for anything else is listed above the buttons, never lost. */
const FORM_FIELDS = new Set(['rationale', 'riskNote', 'id', 'name', 'kind', 'ssid', 'policy', 'enabled', 'interface', 'vlan', 'subnets', 'gateway/ipv4', 'gateway/ipv6', 'dhcp/enabled', 'dhcp/first', 'dhcp/last', 'dhcp/leaseMinutes', 'tethering', 'p2p']);
