// Devices (devices.view): every device the leases brought, with its name, MAC (randomised ones
// marked), hostname, group, network, owner, address and lease, when it was seen, suspension and
// caps, and (for those who work incidents) an investigation in force; search and filter.
// With devices.manage, a device's panel edits it (device-panel.tsx), and a device not seen yet can
// be added by its MAC (add-device.tsx).
import { useEffect, useState } from 'preact/hooks';
import type { Device, DevicesPage as Page } from '../../../../firmware/admin/api/devices-schema.ts';
import type { InvestigationListView } from '../../../../firmware/admin/api/investigations-schema.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { TextField } from '../../components/field.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { matches, ownerLabel, type DeviceRow } from '../admin-filters.ts';
import { errorsOf, when } from '../admin-format.ts';
import { AddDevice } from './add-device.tsx';
import { AupAcceptances } from './aup-acceptances.tsx';
import { DevicePanel } from './device-panel.tsx';

function capText(d: Device): string {
  if (d.capDownKbit === null && d.capUpKbit === null) return 'policy';
  const one = (k: number | null) => (k === null ? '—' : k >= 1000 ? `${k / 1000} Mbit/s` : `${k} kbit/s`);
  return `↓ ${one(d.capDownKbit)} ↑ ${one(d.capUpKbit)}`;
}

export function DevicesPage() {
  const { api, session } = useApp();
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [network, setNetwork] = useState('');
  const [state, setState] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const tz = session?.site.timezone ?? 'Europe/London';
  const canManage = session?.permissions.includes('devices.manage') ?? false;

  const load = async () => {
    try {
      setPage(await api.get<Page>('/api/devices'));
      setError(null);
    } catch (e) {
      setError(errorsOf(e).message);
    }
  };
  useEffect(() => { void load(); }, []);
  const [investigations, setInvestigations] = useState<InvestigationListView | null>(null);
  // Only accounts that work incidents see investigations (the head, the DSL, the online-safety lead).
  const mayReadLog = session?.permissions.includes('monitoring.review') ?? false;
  useEffect(() => {
    if (mayReadLog) api.get<InvestigationListView>('/api/investigations?status=in-force').then(setInvestigations, () => setInvestigations(null));
  }, [mayReadLog]);

  if (page === null) return <><Notice kind="error">{error}</Notice>{error === null ? <p role="status">Loading…</p> : null}</>;
  const leases = new Map(page.leases.map((l) => [l.mac, l]));
  const groups = new Map(page.groups.map((g) => [g.id, g.name]));
  const networks = new Map(page.networks.map((n) => [n.id, n.name]));
  const now = Date.now();
  const rows: DeviceRow[] = page.devices.map((device) => ({ device, lease: leases.get(device.mac), label: device.name || device.hostname || device.mac }));
  const shown = rows.filter((r) => matches(r, search)
    && (network === '' || r.device.networkId === network)
    && (state === '' || (state === 'suspended') === (r.device.suspendedUntil !== null && Date.parse(r.device.suspendedUntil) > now)));
  const current = rows.find((r) => r.device.mac === selected);
  const investigated = new Map((investigations?.investigations ?? []).filter((i) => i.status === 'in-force').map((i) => [i.device, i]));
  const underInvestigation = (mac: string) => {
    const i = investigated.get(mac);
    return i === undefined ? null : <><br /><small class="warn">Under investigation until {when(i.until, tz)}</small></>;
  };

  return (
    <>
      <Notice kind="error">{error}</Notice>
      <Notice kind="success">{done}</Notice>
      <form class="filters no-print" role="search" aria-label="Find devices" onSubmit={(e) => e.preventDefault()}>
        <TextField name="search" label="Search" value={search} onValue={setSearch} required={false} hint="name, MAC, hostname, address, owner or reason" />
        <ChoiceField name="network" label="Network" value={network} onValue={setNetwork}
          options={[{ value: '', label: 'All networks' }, ...page.networks.map((n) => ({ value: n.id, label: n.name }))]} />
        <ChoiceField name="state" label="Access" value={state} onValue={setState}
          options={[{ value: '', label: 'All devices' }, { value: 'suspended', label: 'Suspended' }, { value: 'active', label: 'Not suspended' }]} />
      </form>
      <p class="muted">Addresses are the leases in force at {when(page.at, tz)}.</p>
      <DataTable
        id="devices"
        caption={`Devices: ${shown.length} of ${rows.length} shown`}
        rows={shown}
        rowKey={(r) => r.device.mac}
        empty={rows.length === 0 ? 'No device has asked for an address yet.' : 'No device matches the search.'}
        initialSort={{ key: 'lastSeen', direction: 'descending' }}
        columns={[
          { key: 'name', label: 'Name', value: (r) => r.label, render: (r) => (
            <>{canManage
              ? <button type="button" class="link-button" aria-expanded={selected === r.device.mac} onClick={() => { setSelected(r.device.mac); setDone(null); }}>{r.label}</button>
              : r.label}{underInvestigation(r.device.mac)}</>) },
          { key: 'mac', label: 'MAC', value: (r) => r.device.mac, render: (r) => <><code class="mac">{r.device.mac}</code>{r.device.randomisedMac ? <span class="tag" title="a private address the device may change">randomised</span> : null}</> },
          { key: 'hostname', label: 'Hostname', value: (r) => r.device.hostname },
          { key: 'group', label: 'Group', value: (r) => (r.device.groupId === null ? 'network default' : groups.get(r.device.groupId) ?? r.device.groupId) },
          { key: 'network', label: 'Network', value: (r) => networks.get(r.device.networkId) ?? r.device.networkId },
          { key: 'owner', label: 'Owner', value: (r) => ownerLabel(r.device) },
          { key: 'address', label: 'Address', value: (r) => r.lease?.address ?? '', render: (r) => (r.lease ? <>{r.lease.address}<br /><small>lease to {when(r.lease.expires, tz)}</small></> : <span class="muted">no lease</span>) },
          { key: 'firstSeen', label: 'First seen', value: (r) => r.device.firstSeen, render: (r) => when(r.device.firstSeen, tz) },
          { key: 'lastSeen', label: 'Last seen', value: (r) => r.device.lastSeen, render: (r) => when(r.device.lastSeen, tz) },
          { key: 'suspended', label: 'Suspended', value: (r) => r.device.suspendedUntil ?? '', render: (r) => (
            r.device.suspendedUntil !== null && Date.parse(r.device.suspendedUntil) > now
              ? <><strong class="warn">until {when(r.device.suspendedUntil, tz)}</strong><br /><small>{r.device.suspendReason}</small></>
              : 'no') },
          { key: 'caps', label: 'Caps', value: (r) => capText(r.device) },
        ]}
      />
      {current !== undefined && canManage ? (
        <DevicePanel key={current.device.mac} row={current} page={page} timezone={tz}
          onChanged={async (message) => { await load(); setDone(message); }}
          onClose={() => setSelected(null)} />
      ) : null}
      {canManage ? <AddDevice page={page} onAdded={async (message) => { await load(); setDone(message); }} />
        : <p class="muted">Your roles let you see devices; changing them needs the technician or the DSL.</p>}
      <AupAcceptances timezone={tz} networkName={(id) => networks.get(id) ?? id} />
      <div class="actions no-print"><Button kind="secondary" onClick={() => window.print()}>Print this list</Button></div>
    </>
  );
}
