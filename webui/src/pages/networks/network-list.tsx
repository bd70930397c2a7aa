// The school's networks as configured, and (with system.manage) a form for what a person may
// change here: name, Wi-Fi name, policy, on or off, tethering and peer-to-peer. Addresses,
// interfaces and VLANs are shown; they change in the configuration file, with the cabling.
import { useState } from 'preact/hooks';
import type { NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import type { Network } from '../../../../firmware/config/schema.ts';
import { Button } from '../../components/button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { SelectField, TextField, fieldId } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import type { SaveOutcome } from './use-networks.ts';

export function NetworkList({ view, save }: { view: NetworksView; save: (id: string, body: unknown) => Promise<SaveOutcome> }) {
  const [editing, setEditing] = useState<string | null>(null);
  const policyName = (id: string) => view.policies.find((p) => p.id === id)?.name ?? id;
  const network = view.networks.find((n) => n.id === editing);
  return (
    <section aria-labelledby="networks-h">
      <h2 id="networks-h">Networks</h2>
      <DataTable
        caption="The school's networks"
        rows={view.networks}
        rowKey={(n) => n.id}
        empty="No networks are configured."
        columns={[
          { key: 'name', label: 'Network', value: (n) => n.name, render: (n) => <>{n.name}{n.ssid ? <><br /><span class="muted">Wi-Fi: {n.ssid}</span></> : null}</> },
          { key: 'kind', label: 'Kind', value: (n) => n.kind },
          { key: 'interface', label: 'Interface', value: (n) => `${n.interface}${n.vlan ? ` (VLAN ${n.vlan})` : ''}` },
          { key: 'subnets', label: 'Addresses', value: (n) => n.subnets.join(', '), render: (n) => <>{n.subnets.join(', ')}{n.gateway.ipv4 ? <><br /><span class="muted">gateway {n.gateway.ipv4}</span></> : null}</> },
          { key: 'policy', label: 'Policy', value: (n) => policyName(n.policy) },
          { key: 'enabled', label: 'On', value: (n) => (n.enabled ? 'yes' : 'no') },
          { key: 'tethering', label: 'Hotspots', value: (n) => n.tethering ?? 'monitor' },
          { key: 'p2p', label: 'Peer-to-peer', value: (n) => n.p2p ?? (n.kind === 'pupil' || n.kind === 'guest' ? 'block' : 'allow') },
          ...(view.may.networks ? [{ key: 'edit', label: 'Change', value: () => '', sortable: false, render: (n: Network) => <Button kind="secondary" onClick={() => setEditing(n.id)}>Change {n.name}</Button> }] : []),
        ]}
      />
      {network ? <NetworkForm key={network.id} network={network} view={view} save={save} onClose={() => setEditing(null)} /> : null}
    </section>
  );
}

function NetworkForm({ network, view, save, onClose }: { network: Network; view: NetworksView; save: (id: string, body: unknown) => Promise<SaveOutcome>; onClose: () => void }) {
  const [name, setName] = useState(network.name);
  const [ssid, setSsid] = useState(network.ssid ?? '');
  const [policy, setPolicy] = useState(network.policy);
  const [enabled, setEnabled] = useState(network.enabled);
  const [tethering, setTethering] = useState<string>(network.tethering ?? 'monitor');
  const [p2p, setP2p] = useState<string>(network.p2p ?? (network.kind === 'pupil' || network.kind === 'guest' ? 'block' : 'allow'));
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [attempt, setAttempt] = useState(0);
  const fields = outcome?.fields ?? {};
  const formRef = useFocusFirstError(fields, attempt);
  const submit = async (e: Event) => {
    e.preventDefault();
    const result = await save(network.id, { name: name.trim(), enabled, policy, tethering, p2p, ...(ssid.trim() ? { ssid: ssid.trim() } : {}) });
    setOutcome(result);
    setAttempt((a) => a + 1);
  };
  return (
    <form ref={formRef} class="card" onSubmit={submit} noValidate aria-labelledby="net-edit-h">
      <h3 id="net-edit-h">Change {network.name}</h3>
      <Notice kind={outcome === null ? 'info' : outcome.ok ? 'success' : 'error'}>{outcome?.message}</Notice>
      <TextField name="name" label="Name" value={name} onValue={setName} error={fields.name} />
      <TextField name="ssid" label="Wi-Fi name (SSID) the access points broadcast" value={ssid} onValue={setSsid} error={fields.ssid} required={false} />
      <div class={`field${fields.policy ? ' field-invalid' : ''}`}>
        <label for={fieldId('policy')}>Policy</label>
        <select id={fieldId('policy')} value={policy} onChange={(e) => setPolicy((e.currentTarget as HTMLSelectElement).value)}
          aria-invalid={fields.policy ? 'true' : undefined} aria-describedby={fields.policy ? `${fieldId('policy')}-error` : undefined}>
          {view.policies.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
        {fields.policy ? <p id={`${fieldId('policy')}-error`} class="field-error">{fields.policy}</p> : null}
      </div>
      <label class="checkbox"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled((e.currentTarget as HTMLInputElement).checked)} /><span>This network is on</span></label>
      <SelectField name="tethering" label="Hotspots (a device sharing its connection)" value={tethering} options={['monitor', 'block', 'off']} onValue={setTethering} error={fields.tethering} />
      <SelectField name="p2p" label="Peer-to-peer file sharing" value={p2p} options={['block', 'allow']} onValue={setP2p} error={fields.p2p} />
      <div class="actions">
        <Button type="submit">Save {network.name}</Button>
        <Button kind="secondary" onClick={onClose}>Close</Button>
      </div>
    </form>
  );
}
