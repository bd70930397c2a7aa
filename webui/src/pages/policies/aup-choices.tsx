// What a disposition needs beside it, in the table and in the phone's cards alike: the schedule
// of "at certain times", the device groups of "for nominated users". Read-only, their names.
import type { AupPolicy, AupTables } from '../../../../firmware/admin/api/policy-schema.ts';
import { update, type Draft } from './aup-draft.ts';

export interface ChoiceProps {
  row: AupPolicy['rows'][number];
  rule: Draft[string];
  tables: AupTables;
  canEdit: boolean;
  rowErrors: Record<string, string> | undefined;
  errorId: string;
  draft: Draft;
  onDraft: (draft: Draft) => void;
}

export function ScheduleChoice({ row, rule, tables, canEdit, rowErrors, errorId, draft, onDraft }: ChoiceProps) {
  const name = tables.schedules.find((s) => s.id === rule.schedule)?.name ?? rule.schedule ?? 'no schedule';
  if (!canEdit) return <span class="aup-extra">{name}</span>;
  const known = tables.schedules.some((s) => s.id === rule.schedule);
  return (
    <select
      id={`${errorId}-schedule`}
      class="aup-extra"
      aria-label={`${row.title}: acceptable during which schedule`}
      value={rule.schedule ?? ''}
      aria-invalid={rowErrors?.schedule ? 'true' : undefined}
      aria-describedby={rowErrors?.schedule ? `${errorId}-schedule-error` : undefined}
      onChange={(e) => {
        const value = (e.currentTarget as HTMLSelectElement).value;
        const next = { ...draft[row.category]! };
        if (value === '') delete next.schedule;
        else next.schedule = value;
        onDraft({ ...draft, [row.category]: next });
      }}
    >
      <option value="">Choose a schedule</option>
      {!known && rule.schedule !== undefined ? <option value={rule.schedule}>{rule.schedule} (not defined)</option> : null}
      {tables.schedules.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
    </select>
  );
}

export function GroupChoice({ row, rule, tables, canEdit, rowErrors, errorId, draft, onDraft }: ChoiceProps) {
  const groups = rule.groups ?? [];
  const nameOf = (id: string) => tables.deviceGroups.find((g) => g.id === id)?.name ?? id;
  if (!canEdit) return <span class="aup-extra">{groups.length > 0 ? groups.map(nameOf).join(', ') : 'no group'}</span>;
  if (tables.deviceGroups.length === 0) return <span class="aup-extra muted">No device groups are set up yet.</span>;
  return (
    <fieldset class="aup-extra aup-groups" aria-invalid={rowErrors?.groups ? 'true' : undefined}
      aria-describedby={rowErrors?.groups ? `${errorId}-groups-error` : undefined} tabIndex={rowErrors?.groups ? -1 : undefined}>
      <legend class="visually-hidden">{row.title}: acceptable for which device groups</legend>
      {tables.deviceGroups.map((g) => (
        <label key={g.id} class="checkbox">
          <input type="checkbox" checked={groups.includes(g.id)} onChange={(e) => {
            const on = (e.currentTarget as HTMLInputElement).checked;
            onDraft(update(draft, row.category, { groups: tables.deviceGroups.map((x) => x.id).filter((id) => (id === g.id ? on : groups.includes(id))) }));
          }} />
          <span>{g.name}</span>
        </label>
      ))}
    </fieldset>
  );
}
