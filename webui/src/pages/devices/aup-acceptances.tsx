// The AUP acceptances under the device table (devices.view, read-only): which device accepted
// which version of the school's AUP on which network, when, and from which address. The policies
// ask that acceptance is recorded; this is where the school shows it.
import { useEffect, useState } from 'preact/hooks';
import type { AupAcceptance, AupAcceptancesView } from '../../../../firmware/admin/api/aup-schema.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { errorsOf, when } from '../admin-format.ts';

export function AupAcceptances(props: { timezone: string; networkName: (id: string) => string }) {
  const { api } = useApp();
  const [view, setView] = useState<AupAcceptancesView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<AupAcceptancesView>('/api/aup/acceptances').then(setView, (e: unknown) => setError(errorsOf(e).message));
  }, []);

  if (view === null) return <section class="aup-acceptances" aria-labelledby="aup-h"><h2 id="aup-h">Acceptable use policy</h2><Notice kind="error">{error}</Notice>{error === null ? <p role="status">Loading…</p> : null}</section>;
  const current = view.current;
  return (
    <section class="aup-acceptances" aria-labelledby="aup-h">
      <h2 id="aup-h">Acceptable use policy</h2>
      <p class="muted">
        {current === null || current.splashOn.length === 0
          ? 'No network asks its devices to accept the AUP (the configuration\'s "aup" section).'
          : `Version ${current.version} in force; devices on ${current.splashOn.map(props.networkName).join(' and ')} are asked to accept it before their plain web requests go out.`}
      </p>
      <DataTable<AupAcceptance>
        id="aup-acceptances"
        caption={`Acceptances: ${view.acceptances.length}`}
        rows={view.acceptances}
        rowKey={(a) => String(a.id)}
        empty="No device has accepted the AUP yet."
        initialSort={{ key: 'at', direction: 'descending' }}
        columns={[
          { key: 'at', label: 'Accepted', value: (a) => a.at, render: (a) => when(a.at, props.timezone) },
          { key: 'device', label: 'Device', value: (a) => a.deviceName ?? a.mac, render: (a) => (a.deviceName === null ? <code class="mac">{a.mac}</code> : <>{a.deviceName}<br /><code class="mac">{a.mac}</code></>) },
          { key: 'network', label: 'Network', value: (a) => props.networkName(a.networkId) },
          { key: 'version', label: 'Version', value: (a) => a.version, render: (a) => (current !== null && a.version !== current.version ? <>{a.version} <span class="tag">earlier</span></> : a.version) },
          { key: 'address', label: 'From address', value: (a) => a.address },
        ]}
      />
    </section>
  );
}
