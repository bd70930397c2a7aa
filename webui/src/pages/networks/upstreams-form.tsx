// The upstream resolvers: the school's filtering provider first. The shipped providers fill the
// rows in one click, each with the account the school needs; nothing is chosen for the school.
import { useState } from 'preact/hooks';
import type { NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import type { Upstream } from '../../../../firmware/config/schema.ts';
import { Button } from '../../components/button.tsx';
import { TextField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice } from '../../components/notice.tsx';
import type { SaveOutcome } from './use-networks.ts';

interface Row { name: string; address: string; port: string }
const rowOf = (u: Upstream): Row => ({ name: u.name, address: u.address, port: String(u.port) });

export function UpstreamsForm({ view, save, submitLabel = 'Save the resolvers', onSaved }: {
  view: NetworksView;
  save: (body: unknown) => Promise<SaveOutcome>;
  submitLabel?: string;
  onSaved?: () => void;
}) {
  const [rows, setRows] = useState<Row[]>(view.upstreams.map(rowOf));
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const fields = outcome?.fields ?? {};
  const formRef = useFocusFirstError(fields, attempt);
  const set = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const result = await save({ upstreams: rows.map((r) => ({ name: r.name.trim(), address: r.address.trim(), port: Number(r.port) || 0 })) });
    setOutcome(result);
    setBusy(false);
    setAttempt((a) => a + 1);
    if (result.ok) onSaved?.();
  };

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-labelledby="upstreams-h">
      <h2 id="upstreams-h">Upstream resolvers</h2>
      <p>Where the gateway sends the questions it allows. A filtering resolver from a member of the Internet Watch Foundation adds its blocking to the school's own. {rows.length === 0 ? <strong>None is set: the gateway uses the resolvers of its own network connection.</strong> : null}</p>
      <p class="muted">{view.providers.note}</p>
      {view.may.upstreams ? (
        <ul class="provider-list">
          {view.providers.providers.map((p) => (
            <li key={p.id}>
              <strong>{p.name}</strong> — {p.account}{' '}
              {p.upstreams.length > 0
                ? <Button kind="secondary" onClick={() => setRows(p.upstreams.map(rowOf))}>Use {p.name}'s addresses</Button>
                : <span class="muted">(enter the addresses your account gives below)</span>}
            </li>
          ))}
        </ul>
      ) : null}
      <Notice kind={outcome === null ? 'info' : outcome.ok ? 'success' : 'error'}>{outcome?.message}</Notice>
      {!view.may.upstreams ? (
        <ul>{rows.map((r, i) => <li key={i}>{r.name}: <code>{r.address}</code> port {r.port}</li>)}</ul>
      ) : rows.map((r, i) => (
        <fieldset key={i} class="card grid-3">
          <legend>Resolver {i + 1}</legend>
          <TextField name={`upstreams/${i}/name`} label="Name" value={r.name} onValue={(v) => set(i, { name: v })} error={fields[`upstreams/${i}/name`]} />
          <TextField name={`upstreams/${i}/address`} label="Address" value={r.address} onValue={(v) => set(i, { address: v })} error={fields[`upstreams/${i}/address`]} inputMode="text" />
          <TextField name={`upstreams/${i}/port`} label="Port" value={r.port} onValue={(v) => set(i, { port: v })} error={fields[`upstreams/${i}/port`]} inputMode="numeric" />
          <div class="actions"><Button kind="secondary" onClick={() => setRows(rows.filter((_, j) => j !== i))}>Remove resolver {i + 1}</Button></div>
        </fieldset>
      ))}
      {view.may.upstreams ? (
        <div class="actions">
          {rows.length < 8 ? <Button kind="secondary" onClick={() => setRows([...rows, { name: '', address: '', port: '53' }])}>Add a resolver</Button> : null}
          <Button type="submit" busy={busy}>{submitLabel}</Button>
        </div>
      ) : <p class="muted">Changing the resolvers is for the school's technician.</p>}
    </form>
  );
}
