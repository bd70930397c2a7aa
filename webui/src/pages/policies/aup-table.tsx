// One policy's AUP table: a row per category (title, what it covers, severity), a column per
// disposition with one radio per row, the schedule or device groups beside the disposition that
// needs them, and the watch flag. Read-only accounts and paper get a mark in the chosen column.
// On a phone (600 px or less) the same rows are cards, each a radio group (aup-cards.tsx): the
// table would scroll sideways. So they are between 768 and 1120 px, where the navigation's column
// leaves the page less than the table's 52rem. Paper keeps the table whatever the screen.
import type { AupPolicy, AupTables } from '../../../../firmware/admin/api/policy-schema.ts';
import type { Disposition } from '../../../../firmware/config/schema.ts';
import { fieldId } from '../../components/field.tsx';
import { useMedia } from '../../components/use-media.ts';
import { AupCards } from './aup-cards.tsx';
import { GroupChoice, ScheduleChoice } from './aup-choices.tsx';
import { choose, update, type Draft } from './aup-draft.ts';

export interface AupTableProps {
  policy: AupPolicy;
  tables: AupTables;
  draft: Draft;
  editable: boolean;
  errors: Record<string, Record<string, string>>;
  onDraft: (draft: Draft) => void;
}

export const NARROW = '(max-width: 600px), (min-width: 48rem) and (max-width: 70rem)';

export function AupTable(props: AupTableProps) {
  const narrow = useMedia(NARROW);
  if (!narrow) return <AupGrid {...props} />;
  return (
    <>
      <AupCards {...props} />
      {/* For paper only: read-only, so no second set of inputs or ids beside the cards'. */}
      <div class="aup-print-table"><AupGrid {...props} editable={false} errors={{}} /></div>
    </>
  );
}

function AupGrid({ policy, tables, draft, editable, errors, onDraft }: AupTableProps) {
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
