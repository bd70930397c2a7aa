// Device groups: the "nominated users" of the acceptable-use tables. A group has a name and,
// optionally, a policy of its own that its devices get on every network; its members are devices,
// picked from those the gateway has seen or typed as a MAC (for a laptop not yet switched on). A
// group a policy's row or an exception still names cannot be removed: the server says which.
// Which policy an existing group gets is a filtering change: it is sent as a change request, with
// why; names and new groups save at once.
import { useEffect, useState } from 'preact/hooks';
import type { DevicesPage } from '../../../../firmware/admin/api/devices-schema.ts';
import type { NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import type { DeviceGroup } from '../../../../firmware/config/schema.ts';
import { ApiRequestError } from '../../api.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { ChangeWhy, NO_WHY, whyBody, whyProblems, type Why } from '../../components/change-why.tsx';
import { Notice } from '../../components/notice.tsx';
import { OutcomeNotice } from '../../components/request-sent.tsx';
import { useApp } from '../../context.ts';
import { MoveRequest, type RefusedMove } from '../devices/move-request.tsx';
import { slugOf } from './slug.ts';
import type { SaveOutcome } from './use-networks.ts';

interface Row { group: DeviceGroup; isNew: boolean }

export function GroupsForm({ view, save }: { view: NetworksView; save: (body: unknown) => Promise<SaveOutcome> }) {
  const [rows, setRows] = useState<Row[]>(view.deviceGroups.map((group) => ({ group, isNew: false })));
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [why, setWhy] = useState<Why>(NO_WHY);
  const [attempt, setAttempt] = useState(0);
  const fields = outcome?.fields ?? {};
  const formRef = useFocusFirstError(fields, attempt);
  const may = view.may.groups;
  const policyName = (id: string | undefined) => (!id ? "the network's policy" : view.policies.find((p) => p.id === id)?.name ?? id);
  const configured = (g: DeviceGroup) => view.deviceGroups.find((x) => x.id === g.id);
  const repoliced = rows.filter((r) => !r.isNew && configured(r.group) !== undefined && (configured(r.group)!.policy ?? '') !== (r.group.policy ?? '')).map((r) => r.group);
  const set = (i: number, patch: Partial<DeviceGroup>) => setRows(rows.map((r, j) => (j === i ? { ...r, group: { ...r.group, ...patch } } : r)));
  const submit = async (e: Event) => {
    e.preventDefault();
    const missing = repoliced.length > 0 ? whyProblems(why) : {};
    if (Object.keys(missing).length > 0) {
      setOutcome({ ok: false, message: 'Nothing was saved: say why the policy changes and what it risks.', fields: missing });
      setAttempt((a) => a + 1);
      return;
    }
    const groups = rows.map(({ group: g, isNew }) => ({ id: isNew ? slugOf(g.name, 'group') : g.id, name: g.name.trim(), ...(g.policy ? { policy: g.policy } : {}) }));
    const result = await save({ groups, ...whyBody(repoliced.length > 0, why) });
    setOutcome(result);
    setAttempt((a) => a + 1);
    if (result.ok) {
      // The policies asked for wait on the request: the form shows those in force.
      setRows(groups.map((group) => {
        const was = configured(group);
        if (was === undefined) return { group, isNew: false };
        const { policy: _asked, ...kept } = group;
        return { group: { ...kept, ...(was.policy ? { policy: was.policy } : {}) }, isNew: false };
      }));
      setWhy(NO_WHY);
    }
  };
  return (
    <section aria-labelledby="groups-h">
      <form ref={formRef} onSubmit={submit} noValidate aria-labelledby="groups-h">
        <h2 id="groups-h">Device groups</h2>
        <p>The "nominated users" of the acceptable-use tables: a row marked "for nominated users" is open to the devices in the groups it names.</p>
        <OutcomeNotice kind={outcome === null ? 'info' : outcome.ok ? 'success' : 'error'} request={outcome?.request}>{outcome?.message}</OutcomeNotice>
        {fields.groups ? <p class="field-error">{fields.groups}</p> : null}
        {rows.length === 0 ? <p>No device groups yet.</p> : null}
        {!may ? (
          <ul>{rows.map(({ group: g }) => <li key={g.id}><strong>{g.name}</strong>: {policyName(g.policy)}</li>)}</ul>
        ) : rows.map(({ group: g }, i) => (
          <fieldset key={i} class="card grid-3">
            <legend>{g.name || `Group ${i + 1}`}</legend>
            <TextField name={`groups/${i}/name`} label="Name" value={g.name} onValue={(v) => set(i, { name: v })} error={fields[`groups/${i}/name`] ?? fields[`groups/${i}/id`]} />
            <ChoiceField name={`groups/${i}/policy`} label="Policy its devices get" value={g.policy ?? ''} onValue={(v) => set(i, { policy: v })}
              options={[{ value: '', label: "The network's policy" }, ...view.policies.map((p) => ({ value: p.id, label: p.name }))]} error={fields[`groups/${i}/policy`]} />
            <div class="actions"><Button kind="secondary" onClick={() => setRows(rows.filter((_, j) => j !== i))}>Remove group {g.name || i + 1}</Button></div>
          </fieldset>
        ))}
        {may && repoliced.length > 0 ? (
          <ChangeWhy what={`Changing the policy of ${repoliced.map((g) => g.name || g.id).join(', ')}`} why={why} setWhy={setWhy} errors={fields} idPrefix="groups" />
        ) : null}
        {may ? (
          <div class="actions">
            {rows.length < 256 ? <Button kind="secondary" onClick={() => setRows([...rows, { isNew: true, group: { id: '', name: '' } }])}>Add a group</Button> : null}
            <Button type="submit">{repoliced.length > 0 ? 'Save, and send the policy change for approval' : 'Save the device groups'}</Button>
          </div>
        ) : null}
      </form>
      {view.may.members && view.deviceGroups.length > 0 ? <GroupMembers groups={view.deviceGroups} /> : null}
    </section>
  );
}

/** Who is in each saved group: a device's group is stored with the device, through the devices page's own change. */
function GroupMembers({ groups }: { groups: readonly DeviceGroup[] }) {
  const { api } = useApp();
  const [page, setPage] = useState<DevicesPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [group, setGroup] = useState(groups[0]!.id);
  const [pick, setPick] = useState('');
  const [mac, setMac] = useState('');
  const [macError, setMacError] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  // A device a group would let reach more: not moved, offered as a change request instead.
  const [refused, setRefused] = useState<{ mac: string; move: RefusedMove } | null>(null);
  const load = () => api.get<DevicesPage>('/api/devices').then((p) => { setPage(p); setError(null); }, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  useEffect(() => { void load(); }, []);
  if (error !== null) return <Notice kind="error">Could not load the devices: {error}</Notice>;
  if (page === null) return <p class="loading" role="status">Loading the devices…</p>;
  const label = (m: string) => {
    const d = page.devices.find((x) => x.mac === m);
    const l = page.leases.find((x) => x.mac === m);
    const name = d?.name || d?.hostname || l?.hostname;
    return `${name ? `${name} ` : ''}(${m}${l ? `, ${l.address}` : ''})`;
  };
  const members = page.devices.filter((d) => d.groupId === group);
  const candidates = [...new Set([...page.devices.map((d) => d.mac), ...page.leases.map((l) => l.mac)])].filter((m) => !members.some((d) => d.mac === m));
  const groupName = groups.find((g) => g.id === group)?.name ?? group;
  /** Undefined when done, else the server's reason (a MAC the gateway has never seen, say). */
  const move = async (target: string, to: string | null, done: string): Promise<string | undefined> => {
    setRefused(null);
    try {
      await api.request('PATCH', `/api/devices/${encodeURIComponent(target)}`, { group: to });
      await load();
      setOutcome({ ok: true, message: done, fields: {} });
      return undefined;
    } catch (e) {
      if (e instanceof ApiRequestError && e.code === 'change-request-needed') {
        const from = page.devices.find((d) => d.mac === target.toLowerCase())?.groupId ?? null;
        setOutcome(null);
        setRefused({ mac: target, move: { message: e.message, from, to } });
        return undefined;
      }
      const message = e instanceof Error ? e.message : String(e);
      setOutcome({ ok: false, message: `Not changed: ${message}.`, fields: e instanceof ApiRequestError ? e.fields : {} });
      return message;
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const target = mac.trim() || pick;
    if (target === '') { setMacError('pick a device or type its MAC address'); return; }
    setMacError(undefined);
    const problem = await move(target, group, `Added ${target} to ${groupName}.`);
    if (problem === undefined) { setMac(''); setPick(''); }
    else setMacError(problem);
  };
  return (
    <>
    <form class="card group-members" onSubmit={add} noValidate aria-labelledby="members-h">
      <h3 id="members-h">Members</h3>
      <ChoiceField name="members-group" label="Group" value={group} onValue={(v) => { setGroup(v); setOutcome(null); }} options={groups.map((g) => ({ value: g.id, label: g.name }))} />
      <Notice kind={outcome === null ? 'info' : outcome.ok ? 'success' : 'error'}>{outcome?.message}</Notice>
      {members.length === 0 ? <p>No devices in {groupName} yet.</p> : (
        <ul class="member-list">
          {members.map((d) => (
            <li key={d.mac}>{label(d.mac)} <Button kind="secondary" onClick={() => void move(d.mac, null, `Took ${d.mac} out of ${groupName}: it has its network's policy again.`)}>Take {d.name || d.mac} out of {groupName}</Button></li>
          ))}
        </ul>
      )}
      <div class="grid-3">
        <ChoiceField name="members-pick" label="A device the gateway has seen" value={pick} onValue={setPick}
          options={[{ value: '', label: 'Choose a device' }, ...candidates.map((m) => ({ value: m, label: label(m) }))]} />
        <TextField name="members-mac" label="Or its MAC address" hint="A device the gateway has seen at least once." value={mac} onValue={setMac} error={macError} required={false} spellcheck={false} />
      </div>
      <div class="actions"><Button type="submit">Add to {groupName}</Button></div>
    </form>
    {refused !== null ? (
      <div class="card">
        <MoveRequest key={`${refused.mac}>${refused.move.to}`} mac={refused.mac} move={refused.move} saveOthers={async () => undefined}
          onSent={async () => { setMac(''); setPick(''); await load(); }} onCancel={() => setRefused(null)} />
      </div>
    ) : null}
    </>
  );
}
