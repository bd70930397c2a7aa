// The school's term dates (site.terms) as fields: the Networks page's schedules form and the
// setup wizard's term-dates step share them. Errors arrive by field, "terms/<i>/<name>".
import type { Term } from '../../../../firmware/config/schema.ts';
import { Button } from '../../components/button.tsx';
import { TextField } from '../../components/field.tsx';

export function TermsFields({ terms, setTerms, fields, may }: {
  terms: readonly Term[];
  setTerms: (terms: Term[]) => void;
  fields: Record<string, string>;
  may: boolean;
}) {
  const setTerm = (i: number, patch: Partial<Term>) => setTerms(terms.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  return (
    <>
      {terms.length === 0 ? <p>No term dates yet{may ? ': add the school\'s terms so that term-time schedules know the holidays.' : '.'}</p> : null}
      {!may ? (
        <ul>{terms.map((t, i) => <li key={i}>{t.name}: {t.start} to {t.end}</li>)}</ul>
      ) : terms.map((t, i) => (
        <fieldset key={i} class="card grid-3">
          <legend>Term {i + 1}</legend>
          <TextField name={`terms/${i}/name`} label="Name" value={t.name} onValue={(v) => setTerm(i, { name: v })} error={fields[`terms/${i}/name`]} />
          <TextField name={`terms/${i}/start`} label="First day (YYYY-MM-DD)" value={t.start} onValue={(v) => setTerm(i, { start: v })} error={fields[`terms/${i}/start`]} />
          <TextField name={`terms/${i}/end`} label="Last day (YYYY-MM-DD)" value={t.end} onValue={(v) => setTerm(i, { end: v })} error={fields[`terms/${i}/end`]} />
          <div class="actions"><Button kind="secondary" onClick={() => setTerms(terms.filter((_, j) => j !== i))}>Remove term {i + 1}</Button></div>
        </fieldset>
      ))}
      {may && terms.length < 24 ? (
        <div class="actions"><Button kind="secondary" onClick={() => setTerms([...terms, { name: '', start: '', end: '' }])}>Add a term</Button></div>
      ) : null}
    </>
  );
}
