// The reason and risk note a change request carries, for a form part of whose save changes what is
// filtered (a network's or a group's policy, when a schedule in use is open): shown only then,
// since the rest of the form saves at once without them.
import { TextAreaField } from './field.tsx';

export interface Why { rationale: string; riskNote: string }
export const NO_WHY: Why = { rationale: '', riskNote: '' };
const WHY_MIN = 10;

/** What is missing, by field, before anything is sent. */
export function whyProblems(why: Why): Record<string, string> {
  const missing: Record<string, string> = {};
  if (why.rationale.trim().length < WHY_MIN) missing.rationale = `say why this change is needed, at least ${WHY_MIN} characters: the approvers read it`;
  if (why.riskNote.trim().length < WHY_MIN) missing.riskNote = `say who could reach what, and why that is acceptable, at least ${WHY_MIN} characters`;
  return missing;
}

/** The body's fields for the request; nothing when the save changes nothing that is filtered. */
export const whyBody = (needed: boolean, why: Why): Partial<Why> => (needed ? { rationale: why.rationale.trim(), riskNote: why.riskNote.trim() } : {});

export function ChangeWhy({ what, why, setWhy, errors, idPrefix }: {
  /** What is asked for, e.g. "The policy of Pupils": it opens the hint. */
  what: string;
  why: Why;
  setWhy: (why: Why) => void;
  errors: Record<string, string | undefined>;
  /** Field names are prefixed when several forms share a page (ids must be unique). */
  idPrefix?: string;
}) {
  const name = (field: string) => (idPrefix ? `${idPrefix}-${field}` : field);
  return (
    <fieldset class="change-why">
      <legend>Why this change</legend>
      <p class="field-hint">{what} changes what is filtered, so it is sent as a change request: two approvers (the headteacher among them) agree before the IT provider applies it. Everything else on this form saves at once.</p>
      <TextAreaField name={name('rationale')} label="The reason" value={why.rationale} onValue={(rationale) => setWhy({ ...why, rationale })}
        rows={3} maxLength={500} error={errors.rationale} hint="What it is for, and who needs it." />
      <TextAreaField name={name('riskNote')} label="Benefit against risk" value={why.riskNote} onValue={(riskNote) => setWhy({ ...why, riskNote })}
        rows={3} maxLength={2000} error={errors.riskNote} hint="Who could reach what, and why that is acceptable." />
    </fieldset>
  );
}
