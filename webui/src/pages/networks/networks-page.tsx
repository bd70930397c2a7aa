// Networks: each network as configured, the schedules with the school's term dates, the device
// groups ("nominated users", and the classes of "Your classes" with their teachers) and the
// upstream resolvers. Every member of staff may read it; changes need the technician's roles, and
// a class's teachers those of whoever manages accounts.
import { Notice } from '../../components/notice.tsx';
import { GroupsForm } from './groups-form.tsx';
import { NetworkList } from './network-list.tsx';
import { SchedulesForm } from './schedules-form.tsx';
import { TeachersForm } from './teachers-form.tsx';
import { UpstreamsForm } from './upstreams-form.tsx';
import { useNetworks } from './use-networks.ts';
import './networks.css';

export function NetworksPage() {
  const { view, error, save } = useNetworks();
  if (error !== null) return <Notice kind="error">Could not load the networks: {error}</Notice>;
  if (view === null) return <p class="loading" role="status">Loading…</p>;
  return (
    <>
      <NetworkList view={view} save={save} />
      <section class="section-gap"><SchedulesForm view={view} save={(body) => save('PUT', '/api/schedules', body, 'Saved: the schedules follow the term dates from now on.')} /></section>
      <div class="section-gap">
        <GroupsForm view={view} save={(body) => save('PUT', '/api/device-groups', body, 'Saved: the groups apply from now on.')} />
        {view.deviceGroups.length > 0 ? <TeachersForm view={view} save={(body) => save('PUT', '/api/class-teachers', body, 'Saved: each teacher sees their classes from now on.')} /> : null}
      </div>
      <section class="section-gap"><UpstreamsForm view={view} save={(body) => save('PUT', '/api/upstreams', body, 'Saved: questions go to these resolvers from now on.')} /></section>
    </>
  );
}
