// The AUP table on a phone: a compact row per category showing its title, severity and what is
// chosen (with the schedule or groups, and whether it is watched), which opens (a native
// disclosure: keyboard and screen readers know it) into the five dispositions as one radio group
// with visible labels, the schedule or device groups under the choice that needs them, and the
// watch flag. A row with a problem opens by itself. Fifteen rows closed fit a phone's screen or
// two, where fifteen open cards were 4,500 px. The same draft, errors and save as the table
// (aup-table.tsx); paper always gets the whole table.
import type { Disposition } from '../../../../firmware/config/schema.ts';
import { fieldId } from '../../components/field.tsx';
import { choose, update } from './aup-draft.ts';
import { GroupChoice, ScheduleChoice } from './aup-choices.tsx';
import type { AupTableProps } from './aup-table.tsx';

export function AupCards({ policy, tables, draft, editable, errors, onDraft }: AupTableProps) {
  const scheduleName = (id: string | undefined) => tables.schedules.find((s) => s.id === id)?.name ?? id ?? 'no schedule';
  const groupNames = (ids: readonly string[] | undefined) => (ids ?? []).map((id) => tables.deviceGroups.find((g) => g.id === id)?.name ?? id).join(', ') || 'no group';
  return (
    <section class="aup-cards" aria-labelledby="aup-cards-h">
      <h3 id="aup-cards-h" class="visually-hidden">{policy.name}: what is acceptable, category by category</h3>
      <p class="muted aup-cards-hint">Each category shows what is chosen; open it to see what it covers{editable ? ' and to change it' : ''}.</p>
      <ul>
        {policy.rows.map((row) => {
          const rule = draft[row.category] ?? row.rule;
          const rowErrors = errors[row.category];
          const canEdit = editable && !row.locked;
          const errorId = fieldId(`categories/${row.category}`);
          const chosen = tables.dispositions.find((d) => d.value === rule.disposition);
          const detail = rule.disposition === 'acceptable-at-certain-times' ? `: ${scheduleName(rule.schedule)}`
            : rule.disposition === 'acceptable-for-nominated-users' ? `: ${groupNames(rule.groups)}` : '';
          const extra = (value: string) => (rule.disposition !== value ? null
            : value === 'acceptable-at-certain-times' ? <ScheduleChoice {...{ row, rule, tables, canEdit, rowErrors, errorId, draft, onDraft }} />
            : value === 'acceptable-for-nominated-users' ? <GroupChoice {...{ row, rule, tables, canEdit, rowErrors, errorId, draft, onDraft }} />
            : null);
          return (
            <li key={row.category} class={`card aup-card${rowErrors ? ' aup-invalid' : ''}`}>
              <details open={rowErrors !== undefined ? true : undefined}>
                <summary>
                  <span class="aup-card-head"><span class="aup-title">{row.title}</span> <span class={`sev sev-${row.severity}`}>{row.severity}</span></span>
                  <span class={`aup-card-choice aup-d-${rule.disposition}`}>{chosen?.label ?? rule.disposition}{detail}{rule.watch ? ' · watched' : ''}</span>
                </summary>
                <fieldset
                  aria-invalid={rowErrors?.disposition ? 'true' : undefined}
                  aria-describedby={rowErrors?.disposition ? `${errorId}-disposition-error` : undefined}
                >
                  <legend class="visually-hidden">{row.title}</legend>
                  <p class="aup-desc">{row.description}</p>
                  {row.locked ? <p class="aup-locked">Illegal content: blocked on every network; this row cannot be changed.</p> : null}
                  {rowErrors ? Object.entries(rowErrors).map(([part, message]) => (
                    <p key={part} id={`${errorId}-${part}-error`} class="field-error"><span class="visually-hidden">Error: </span>{message}</p>
                  )) : null}
                  {canEdit ? tables.dispositions.map((d) => (
                    <div key={d.value} class={`aup-option${rule.disposition === d.value ? ' aup-chosen' : ''}`}>
                      <label class="radio">
                        <input type="radio" name={`aup-card-${row.category}`} value={d.value} checked={rule.disposition === d.value}
                          onChange={() => onDraft(choose(draft, row.category, d.value as Disposition, { schedule: tables.schedules[0]?.id }))} />
                        <span>{d.label}</span>
                      </label>
                      {extra(d.value)}
                    </div>
                  )) : null}
                  {canEdit ? (
                    <label class="checkbox aup-watch">
                      <input type="checkbox" checked={rule.watch === true} onChange={(e) => onDraft(update(draft, row.category, { watch: (e.currentTarget as HTMLInputElement).checked }))} />
                      <span>Watched: every visit goes to the weekly review</span>
                    </label>
                  ) : rule.watch ? <p>Watched: every visit goes to the weekly review.</p> : null}
                </fieldset>
              </details>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
