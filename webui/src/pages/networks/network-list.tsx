// The school's networks as configured and, with system.manage, the whole of each one to change:
// add a network, change its addressing, remove one. A removal the server refuses (the only
// network, or one a reservation or exception still names) says why where the button was.
import { useState } from 'preact/hooks';
import type { NetworkBody, NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import type { Network } from '../../../../firmware/config/schema.ts';
import { Button } from '../../components/button.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Notice } from '../../components/notice.tsx';
import { NetworkForm } from './network-form.tsx';
import type { SaveNetworks, SaveOutcome } from './use-networks.ts';

export function NetworkList({ view, save }: { view: NetworksView; save: SaveNetworks }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Network | null>(null);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const policyName = (id: string) => view.policies.find((p) => p.id === id)?.name ?? id;
  const network = view.networks.find((n) => n.id === editing);
  const open = (id: string) => { setOutcome(null); setEditing(id); };
  const remove = async (n: Network) => {
    setRemoving(null);
    const result = await save('DELETE', `/api/networks/${encodeURIComponent(n.id)}`, undefined, `Removed ${n.name}.`);
    setOutcome(result);
    if (result.ok && editing === n.id) setEditing(null);
  };
  return (
    <section aria-labelledby="networks-h">
      <h2 id="networks-h">Networks</h2>
      <Notice kind={outcome === null ? 'info' : outcome.ok ? 'success' : 'error'}>{outcome?.message}</Notice>
      <DataTable
        caption="The school's networks"
        rows={view.networks}
        rowKey={(n) => n.id}
        empty="No networks are configured."
        columns={[
          { key: 'name', label: 'Network', value: (n) => n.name, render: (n) => <>{n.name}{n.ssid ? <><br /><span class="muted">Wi-Fi: {n.ssid}</span></> : null}</> },
          { key: 'kind', label: 'Kind', value: (n) => n.kind },
          { key: 'interface', label: 'Interface', value: (n) => `${n.interface}${n.vlan ? ` (VLAN ${n.vlan})` : ''}` },
          { key: 'subnets', label: 'Addresses', value: (n) => n.subnets.join(', '), render: (n) => <>{n.subnets.join(', ')}{n.gateway.ipv4 ? <><br /><span class="muted">gateway {n.gateway.ipv4}</span></> : null}{n.dhcp?.enabled && n.dhcp.pools[0] ? <><br /><span class="muted">DHCP {n.dhcp.pools[0].first}–{n.dhcp.pools[0].last}</span></> : null}</> },
          { key: 'policy', label: 'Policy', value: (n) => policyName(n.policy) },
          { key: 'enabled', label: 'On', value: (n) => (n.enabled ? 'yes' : 'no') },
          { key: 'tethering', label: 'Hotspots', value: (n) => n.tethering ?? 'monitor' },
          { key: 'p2p', label: 'Peer-to-peer', value: (n) => n.p2p ?? (n.kind === 'pupil' || n.kind === 'guest' ? 'block' : 'allow') },
          ...(view.may.networks ? [{ key: 'edit', label: 'Change', value: () => '', sortable: false, render: (n: Network) => (
            <div class="row-actions">
              <Button kind="secondary" onClick={() => open(n.id)}>Change {n.name}</Button>
              <Button kind="secondary" onClick={() => setRemoving(n)}>Remove {n.name}</Button>
            </div>
          ) }] : []),
        ]}
      />
      {view.may.networks && editing === null ? <div class="actions"><Button kind="secondary" onClick={() => open('')}>Add a network</Button></div> : null}
      {editing === '' ? (
        <NetworkForm view={view} onClose={() => setEditing(null)}
          submit={async (body) => {
            const result = await save('POST', '/api/networks', body, `Added ${body.name}: the gateway serves it from now on.`);
            if (result.ok) { setEditing(null); setOutcome(result); }
            return result;
          }} />
      ) : null}
      {network ? (
        <NetworkForm key={network.id} network={network} view={view} onClose={() => setEditing(null)}
          submit={(body: NetworkBody) => save('PUT', `/api/networks/${encodeURIComponent(network.id)}`, body, 'Saved: the gateway uses it from now on.')} />
      ) : null}
      <ConfirmDialog open={removing !== null} title={`Remove ${removing?.name ?? ''}?`} confirmLabel={`Remove ${removing?.name ?? ''}`}
        onConfirm={() => { if (removing) void remove(removing); }} onCancel={() => setRemoving(null)}>
        <p>The gateway stops serving {removing?.name}: its devices lose their connection. The cabling and access points are not changed.</p>
      </ConfirmDialog>
    </section>
  );
}
