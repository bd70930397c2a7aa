// Adding a device before it ever joins (devices.manage): a staff laptop the school enrols in
// advance, by its MAC, with the name staff know it by, the network it will join and its group, so
// its first lease finds them. The MAC is checked here by the gateway's own rule (state/mac.ts)
// and again by the gateway, whose message goes beside the field it is about.
import { useState } from 'preact/hooks';
import type { Device, DevicesPage as Page } from '../../../../firmware/admin/api/devices-schema.ts';
import { normaliseMac } from '../../../../firmware/state/mac.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { TextField } from '../../components/field.tsx';
import { Notice } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { useFormState } from './device-panel.tsx';

const FIELDS = ['mac', 'name', 'network', 'group', 'schoolOwned'] as const;

export function AddDevice({ page, onAdded }: { page: Page; onAdded: (message: string) => Promise<void> }) {
  const { api } = useApp();
  const [mac, setMac] = useState('');
  const [name, setName] = useState('');
  const [network, setNetwork] = useState(page.networks.find((n) => n.id === 'staff')?.id ?? page.networks[0]?.id ?? '');
  const [group, setGroup] = useState('');
  const [owner, setOwner] = useState('school');
  const form = useFormState();
  // The gateway names its fields without the form's prefix: "mac", not "add/mac".
  const err = (field: typeof FIELDS[number]) => form.errors[field] ?? form.errors[`add/${field}`];

  return (
    <details class="card add-device">
      <summary>Add a device before it joins</summary>
      <p>For a device the school enrols in advance, such as a new staff laptop: its name, group and owner are waiting when it first asks for an address. The MAC is on the box or in the device's network settings (its Wi-Fi address, not a private or random one).</p>
      <form ref={form.ref} class="form" noValidate onSubmit={(e) => {
        e.preventDefault();
        void form.run((): Record<string, string> => {
          const found: Record<string, string> = {};
          try {
            normaliseMac(mac);
          } catch (error) {
            found['add/mac'] = mac.trim() === '' ? 'Enter the device\'s MAC address, e.g. 3c:22:fb:01:a2:9e.' : `${(error as Error).message}.`;
          }
          if (name.trim() === '') found['add/name'] = 'Enter the name staff know it by, e.g. Mrs Patel\'s laptop.';
          return found;
        }, async () => {
          const device = await api.post<Device>('/api/devices', { mac: mac.trim(), name: name.trim(), network, group: group === '' ? null : group, schoolOwned: owner === 'school' });
          setMac('');
          setName('');
          await onAdded(`Added ${device.name} (${device.mac}): its first lease on ${page.networks.find((n) => n.id === device.networkId)?.name ?? device.networkId} keeps this name and group.`);
        });
      }}>
        <Notice kind="error">{form.message}</Notice>
        <div class="grid-2">
          <TextField name="add/mac" label="MAC address" value={mac} onValue={setMac} error={err('mac')} autocomplete="off" hint="six pairs of hex digits: 3c:22:fb:01:a2:9e, 3C-22-FB-01-A2-9E or 3c22.fb01.a29e" />
          <TextField name="add/name" label="Name" value={name} onValue={setName} error={err('name')} maxLength={64} hint="what staff call it, e.g. Mrs Patel's laptop" />
          <ChoiceField name="add/network" label="Network it will join" value={network} onValue={setNetwork} error={err('network')}
            options={page.networks.map((n) => ({ value: n.id, label: n.name }))} />
          <ChoiceField name="add/group" label="Device group" value={group} onValue={setGroup} error={err('group')}
            options={[{ value: '', label: 'The network\'s default' }, ...page.groups.map((g) => ({ value: g.id, label: g.name }))]} />
          <ChoiceField name="add/schoolOwned" label="School device or personal" value={owner} onValue={setOwner} error={err('schoolOwned')}
            options={[{ value: 'school', label: 'School device' }, { value: 'personal', label: 'Personal' }]} />
        </div>
        <div class="actions"><Button type="submit" busy={form.busy}>Add the device</Button></div>
      </form>
    </details>
  );
}
