// One policy's AUP table: a row per category (title, what it covers, severity), a column per
// disposition with one radio per row, the schedule or device groups beside the disposition that
// needs them, and the watch flag. Read-only accounts and paper get a mark in the chosen column.
import type { AupPolicy, AupTables } from '../../../../firmware/admin/api/policy-schema.ts';
import type { Disposition } from '../../../../firmware/config/schema.ts';
import { fieldId } from '../../components/field.tsx';
import { choose, update, type Draft } from './aup-draft.ts';

export interface AupTableProps {
  policy: AupPolicy;
  tables: AupTables;
  draft: Draft;
  editable: boolean;
  errors: Record<string, Record<string, string>>;
  onDraft: (draft: Draft) => void;
}

export function AupTable({ policy, tables, draft, editable, errors, onDraft }: AupTableProps) {
  return (
    <div class="table-wrap" role="region" aria-labelledby="aup-caption" tabIndex={0}>
      <table class="aup-table">
        <caption id="aup-caption">{policy.name}: what is acceptable, category by category</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            {tables.dispositions.map((d) => <th scope="col" key={d.value} class={`aup-col aup-col-${d.value}`}>{d.label}</th>)}
            <th scope="col">Watched</th>
          </tr>
        </thead>
        <tbody>
          {policy.rows.map((row) => {
            const rule = draft[row.category] ?? row.rule;
            const rowErrors = errors[row.category];
            const canEdit = editable && !row.locked;
            const errorId = fieldId(`categories/${row.category}`);
            return (
              <tr key={row.category} class={rowErrors ? 'aup-invalid' : undefined}>
                <th scope="row" class="aup-category">
                  <span class="aup-title">{row.title}</span> <span class={`sev sev-${row.severity}`}>{row.severity}</span>
                  <span class="aup-desc">{row.description}</span>
                  {row.locked ? <span class="aup-locked">Illegal content: blocked on every network; this row cannot be changed.</span> : null}
                  {rowErrors ? Object.entries(rowErrors).map(([part, message]) => (
                    <span key={part} id={`${errorId}-${part}-error`} class="field-error"><span class="visually-hidden">Error: </span>{message}</span>
                  )) : null}
                </th>
                {tables.dispositions.map((d) => {
                  const chosen = rule.disposition === d.value;
                  return (
                    <td key={d.value} class={chosen ? 'aup-chosen' : undefined}>
                      {canEdit ? (
                        <input
                          type="radio"
                          name={`aup-${row.category}`}
                          value={d.value}
                          checked={chosen}
                          aria-label={`${row.title}: ${d.label}`}
                          aria-invalid={rowErrors?.disposition ? 'true' : undefined}
                          aria-describedby={rowErrors?.disposition ? `${errorId}-disposition-error` : undefined}
                          onChange={() => onDraft(choose(draft, row.category, d.value as Disposition, { schedule: tables.schedules[0]?.id }))}
                        />
                      ) : null}
                      {chosen ? <span class={canEdit ? 'aup-mark print-only' : 'aup-mark'} aria-hidden={canEdit ? 'true' : undefined}>●<span class="visually-hidden">{d.label}</span></span> : null}
                      {chosen && d.value === 'acceptable-at-certain-times' ? <ScheduleChoice {...{ row, rule, tables, canEdit, rowErrors, errorId, draft, onDraft }} /> : null}
                      {chosen && d.value === 'acceptable-for-nominated-users' ? <GroupChoice {...{ row, rule, tables, canEdit, rowErrors, errorId, draft, onDraft }} /> : null}
                    </td>
                  );
                })}
                <td>
                  {canEdit ? (
                    <input type="checkbox" checked={rule.watch === true} aria-label={`${row.title}: watched (every visit reviewed)`}
                      onChange={(e) => onDraft(update(draft, row.category, { watch: (e.currentTarget as HTMLInputElement).checked }))} />
                  ) : null}
                  {rule.watch ? <span class={canEdit ? 'print-only' : undefined}>Yes</span> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

interface ChoiceProps {
  row: AupPolicy['rows'][number];
  rule: Draft[string];
  tables: AupTables;
  canEdit: boolean;
  rowErrors: Record<string, string> | undefined;
  errorId: string;
  draft: Draft;
  onDraft: (draft: Draft) => void;
}

function ScheduleChoice({ row, rule, tables, canEdit, rowErrors, errorId, draft, onDraft }: ChoiceProps) {
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

function GroupChoice({ row, rule, tables, canEdit, rowErrors, errorId, draft, onDraft }: ChoiceProps) {
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
