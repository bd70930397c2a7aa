// The teachers of each class (a device group) in "Your classes": they may watch what its devices
// look up during the lesson and unlock what the head allows for it. Who teaches a class is a
// matter of accounts, not of what is filtered, so it is saved at once by those who manage
// accounts (the head, the technician); everyone else reads the list.
import { useState } from 'preact/hooks';
import type { NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { CheckboxGroup } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import type { SaveOutcome } from './use-networks.ts';

type Teachers = Record<string, string[]>;

const teachersOf = (view: NetworksView): Teachers => Object.fromEntries(view.teachers.map((t) => [t.group, [...t.accounts]]));

export function TeachersForm({ view, save }: { view: NetworksView; save: (body: unknown) => Promise<SaveOutcome> }) {
  const [teachers, setTeachers] = useState<Teachers>(() => teachersOf(view));
  const [group, setGroup] = useState(view.deviceGroups[0]?.id ?? '');
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const fields = outcome?.fields ?? {};
  const formRef = useFocusFirstError(fields, attempt);
  const nameOf = (username: string) => view.accounts.find((a) => a.username === username)?.name ?? username;
  const namesOf = (id: string) => (teachers[id] ?? []).map(nameOf).join(', ');
  const groups = view.deviceGroups;
  const groupName = groups.find((g) => g.id === group)?.name ?? group;
  // The body lists every class in the page's order, so a server message lands on the right one.
  const rows = groups.filter((g) => (teachers[g.id] ?? []).length > 0).map((g) => ({ group: g.id, accounts: teachers[g.id]! }));
  const errorOf = (id: string) => {
    const i = rows.findIndex((r) => r.group === id);
    return i < 0 ? undefined : fields[`teachers/${i}/accounts`] ?? fields[`teachers/${i}/group`];
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await save({ teachers: rows });
    setBusy(false);
    setOutcome(result);
    setAttempt((a) => a + 1);
  };

  return (
    <form ref={formRef} class="teachers-form" onSubmit={submit} noValidate aria-labelledby="teachers-h">
      <h3 id="teachers-h">Teachers</h3>
      <p>A class's teachers see what its devices look up during the lesson on "Your classes", and may unlock what the headteacher allows for it. The headteacher and the safeguarding leads see every class.</p>
      <Notice kind={outcome === null ? 'info' : outcome.ok ? 'success' : 'error'}>{outcome?.message}</Notice>
      {fields.teachers ? <p class="field-error">{fields.teachers}</p> : null}
      <dl class="teachers-list">
        {groups.map((g) => (
          <div key={g.id}>
            <dt>{g.name}</dt>
            <dd>{namesOf(g.id) || <span class="muted">no teacher yet</span>}</dd>
          </div>
        ))}
      </dl>
      {view.may.teachers && groups.length > 0 ? (
        <>
          <ChoiceField name="teachers-group" label="Class" value={group} onValue={(v) => { setGroup(v); setOutcome(null); }}
            options={groups.map((g) => ({ value: g.id, label: g.name }))} />
          {view.accounts.length === 0 ? <p>There are no accounts to choose from yet.</p> : (
            <CheckboxGroup<string> name={`teachers-${group}`} legend={`Who teaches ${groupName}`}
              options={view.accounts.map((a) => ({ value: a.username, label: `${a.name} (${a.username})` }))}
              values={teachers[group] ?? []}
              onValues={(v) => setTeachers({ ...teachers, [group]: v })}
              error={errorOf(group)} />
          )}
          <div class="actions"><Button type="submit" busy={busy}>Save the teachers</Button></div>
        </>
      ) : null}
    </form>
  );
}
