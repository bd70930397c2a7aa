// The AUP table on a phone: each category a card whose five dispositions are one radio group with
// visible labels, the schedule or device groups under the choice that needs them, and the watch
// flag. The same draft, errors and save as the table (aup-table.tsx), only laid out for 390 px.
import type { Disposition } from '../../../../firmware/config/schema.ts';
import { fieldId } from '../../components/field.tsx';
import { choose, update } from './aup-draft.ts';
import { GroupChoice, ScheduleChoice } from './aup-choices.tsx';
import type { AupTableProps } from './aup-table.tsx';

export function AupCards({ policy, tables, draft, editable, errors, onDraft }: AupTableProps) {
  return (
    <section class="aup-cards" aria-labelledby="aup-cards-h">
      <h3 id="aup-cards-h" class="visually-hidden">{policy.name}: what is acceptable, category by category</h3>
      <ul>
        {policy.rows.map((row) => {
          const rule = draft[row.category] ?? row.rule;
          const rowErrors = errors[row.category];
          const canEdit = editable && !row.locked;
          const errorId = fieldId(`categories/${row.category}`);
          const chosen = tables.dispositions.find((d) => d.value === rule.disposition);
          const extra = (value: string) => (rule.disposition !== value ? null
            : value === 'acceptable-at-certain-times' ? <ScheduleChoice {...{ row, rule, tables, canEdit, rowErrors, errorId, draft, onDraft }} />
            : value === 'acceptable-for-nominated-users' ? <GroupChoice {...{ row, rule, tables, canEdit, rowErrors, errorId, draft, onDraft }} />
            : null);
          return (
            <li key={row.category} class={`card aup-card${rowErrors ? ' aup-invalid' : ''}`}>
              <fieldset
                aria-invalid={rowErrors?.disposition ? 'true' : undefined}
                aria-describedby={rowErrors?.disposition ? `${errorId}-disposition-error` : undefined}
              >
                <legend><span class="aup-title">{row.title}</span> <span class={`sev sev-${row.severity}`}>{row.severity}</span></legend>
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
                )) : <p class="aup-chosen-text"><strong>{chosen?.label ?? rule.disposition}</strong>{extra(rule.disposition)}</p>}
                {canEdit ? (
                  <label class="checkbox aup-watch">
                    <input type="checkbox" checked={rule.watch === true} onChange={(e) => onDraft(update(draft, row.category, { watch: (e.currentTarget as HTMLInputElement).checked }))} />
                    <span>Watched: every visit goes to the weekly review</span>
                  </label>
                ) : rule.watch ? <p>Watched: every visit goes to the weekly review.</p> : null}
              </fieldset>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
