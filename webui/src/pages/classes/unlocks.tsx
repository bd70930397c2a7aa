// A class's unlocks: what is unlocked for it now, until when, by whom and why, each with "End now";
// and, for a teacher of the class (or the head), "Unlock for this lesson": one of the categories
// the head allows for this class, for at most the head's longest, with a reason, confirmed before
// it is sent. The server refuses anything else and logs every unlock and its end.
import { useState } from 'preact/hooks';
import type { ClassView, UnlockView } from '../../../../firmware/admin/api/classes-schema.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { TextAreaField } from '../../components/field.tsx';
import { useFocusFirstError } from '../../components/form.ts';
import { Notice, type NoticeKind } from '../../components/notice.tsx';
import { useApp } from '../../context.ts';
import { errorsOf } from '../admin-format.ts';
import { byWords, clockTime, defaultMinutes, minuteChoices, unlockableNow, untilWords } from './class-words.ts';

const REASON_MIN = 3;

type Said = { kind: NoticeKind; text: string } | null;

export function Unlocks({ view, names, tz, onChanged }: { view: ClassView; names: Readonly<Record<string, string>>; tz: string; onChanged: () => Promise<void> }) {
  const { api, session } = useApp();
  const [said, setSaid] = useState<Said>(null);
  const [ending, setEnding] = useState<UnlockView | null>(null);
  const [open, setOpen] = useState(false);

  const end = async (u: UnlockView) => {
    setEnding(null);
    try {
      await api.request('POST', `/api/classes/unlocks/${encodeURIComponent(u.id)}/end`, {});
      await onChanged();
      setSaid({ kind: 'success', text: `${u.categoryTitle} is blocked again for ${view.name}.` });
    } catch (e) {
      setSaid({ kind: 'error', text: `Not ended: ${errorsOf(e).message}.` });
    }
  };

  // A category already unlocked is not offered again: the server would refuse it until it ends.
  const offered = unlockableNow(view);
  const mayUnlock = view.mayUnlock && offered.length > 0;
  return (
    <section class="card class-unlocks" aria-labelledby="unlocks-h">
      <h2 id="unlocks-h">Unlocked now</h2>
      <Notice kind={said?.kind ?? 'info'}>{said?.text}</Notice>
      {view.unlocks.length === 0 ? <p>Nothing is unlocked for {view.name}: its devices are filtered as usual.</p> : (
        <ul class="unlock-list">
          {view.unlocks.map((u) => (
            <li key={u.id}>
              <p><strong>{u.categoryTitle}</strong> until <strong>{clockTime(u.until, tz)}</strong></p>
              <p class="muted">By {byWords(u.by, session?.account.username, names)} at {clockTime(u.from, tz)}: “{u.reason}”</p>
              {view.mayUnlock ? <Button kind="secondary" onClick={() => setEnding(u)}>End {u.categoryTitle} now</Button> : null}
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog open={ending !== null} title={ending === null ? 'End the unlock?' : `End ${ending.categoryTitle} for ${view.name} now?`}
        confirmLabel="End it now" cancelLabel="Keep it" onConfirm={() => { if (ending !== null) void end(ending); }} onCancel={() => setEnding(null)}>
        <p>Its devices are filtered as usual again at once.</p>
      </ConfirmDialog>
      {mayUnlock && !open ? <div class="actions"><Button onClick={() => { setOpen(true); setSaid(null); }}>Unlock for this lesson</Button></div> : null}
      {mayUnlock && open ? (
        <UnlockForm view={view} offered={offered} tz={tz} onCancel={() => setOpen(false)}
          onDone={async (text) => { setOpen(false); await onChanged(); setSaid({ kind: 'success', text }); }} />
      ) : null}
      {view.mayUnlock && view.unlockable.length === 0 ? (
        <p class="muted">Nothing may be unlocked for {view.name}: the headteacher sets what teachers may unlock (Acceptable use, "What teachers may unlock").</p>
      ) : null}
    </section>
  );
}

function UnlockForm({ view, offered, tz, onCancel, onDone }: {
  view: ClassView; offered: ClassView['unlockable']; tz: string; onCancel: () => void; onDone: (text: string) => Promise<void>;
}) {
  const { api } = useApp();
  const first = offered[0]!;
  const [category, setCategory] = useState(first.category);
  const [minutes, setMinutes] = useState(defaultMinutes(first.maxMinutes));
  const [reason, setReason] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useFocusFirstError(fields, attempt);
  const limit = offered.find((u) => u.category === category) ?? first;
  const choices = minuteChoices(limit.maxMinutes);

  const pickCategory = (id: string) => {
    setCategory(id);
    const next = offered.find((u) => u.category === id);
    if (next !== undefined && minutes > next.maxMinutes) setMinutes(defaultMinutes(next.maxMinutes));
  };

  const check = (e: Event) => {
    e.preventDefault();
    setProblem(null);
    if (reason.trim().length < REASON_MIN) {
      setFields({ reason: 'say what the lesson needs it for: it is logged with the unlock' });
      setAttempt((a) => a + 1);
      return;
    }
    setFields({});
    setConfirming(true);
  };

  const send = async () => {
    setConfirming(false);
    if (busy) return;
    setBusy(true);
    try {
      const made = await api.request<UnlockView>('POST', `/api/classes/${encodeURIComponent(view.group)}/unlock`, { category, minutes, reason: reason.trim() });
      await onDone(`${made.categoryTitle} is unlocked for ${view.name} until ${clockTime(made.until, tz)}.`);
    } catch (e) {
      const { fields: f, message } = errorsOf(e);
      setFields(f);
      setProblem(`Not unlocked: ${message}.`);
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} class="unlock-form" onSubmit={check} noValidate aria-labelledby="unlock-h">
      <h3 id="unlock-h">Unlock for this lesson</h3>
      <p class="field-hint">Only for {view.name}'s devices, only for the time chosen; it is logged with your name and reason.</p>
      <Notice kind="error">{problem}</Notice>
      <ChoiceField name="category" label="What to unlock" value={category} onValue={pickCategory} error={fields.category}
        options={offered.map((u) => ({ value: u.category, label: u.title }))} />
      <ChoiceField name="minutes" label="For how long" value={String(minutes)} onValue={(v) => setMinutes(Number(v))} error={fields.minutes}
        hint={`At most ${limit.maxMinutes} minutes for ${limit.title}.`}
        options={choices.map((m) => ({ value: String(m), label: `${m} minutes (until ${untilWords(new Date(), m, tz)})` }))} />
      <TextAreaField name="reason" label="What the lesson needs it for" value={reason} onValue={setReason} error={fields.reason} rows={2} maxLength={300}
        hint="For example: the BBC Bitesize clips for today's science lesson." />
      <div class="actions">
        <Button type="submit" busy={busy}>Unlock {limit.title}</Button>
        <Button kind="secondary" onClick={onCancel}>Cancel</Button>
      </div>
      <ConfirmDialog open={confirming} title={`Unlock ${limit.title} for ${view.name}?`} confirmLabel={`Unlock for ${minutes} minutes`} cancelLabel="Not now"
        onConfirm={() => void send()} onCancel={() => setConfirming(false)}>
        <p>Every device in {view.name} can reach {limit.title.toLowerCase()} until {untilWords(new Date(), minutes, tz)}. Illegal content stays blocked.</p>
        <p>It is logged with your name and your reason: “{reason.trim()}”.</p>
      </ConfirmDialog>
    </form>
  );
}
