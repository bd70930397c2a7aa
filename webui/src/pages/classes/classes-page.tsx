// "Your classes": a class teacher's read-only, live view of what their class's devices look up and
// what is blocked during the lesson, and a time-limited unlock of what the head allows for the
// class (logged with the teacher's reason). The server shows each account only the classes it
// teaches (every class to the head and the safeguarding leads). The live view refreshes every 10
// seconds while the page is in view; names are plain text, never links.
import { useState } from 'preact/hooks';
import type { ClassListPage } from '../../../../firmware/admin/api/classes-schema.ts';
import { ChoiceField } from '../../components/choice-field.tsx';
import { Notice } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import { param } from '../incidents/words.ts';
import { classLabel, teachersWords } from './class-words.ts';
import { LiveView } from './live-view.tsx';
import { Unlocks } from './unlocks.tsx';
import './classes.css';

/** How often the class list (its unlocks in force) is read again while the page is in view. */
const LIST_REFRESH_MS = 30_000;

export function ClassesPage({ search }: { search: string }) {
  const { session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const { data, error, reload } = useLoaded<ClassListPage>('/api/classes', LIST_REFRESH_MS);
  const [picked, setPicked] = useState<string | null>(param(search, 'class'));

  if (data === null) return error === null ? <p class="loading" role="status">Loading your classes…</p> : <Notice kind="error">Could not load your classes: {error}</Notice>;
  if (data.classes.length === 0) {
    return (
      <section class="card" aria-labelledby="no-class-h">
        <h2 id="no-class-h">No class yet</h2>
        <p>You are not a teacher of any class here. The headteacher or the school's technician names each class's teachers on the Networks page (Device groups, Teachers).</p>
      </section>
    );
  }
  const current = data.classes.find((c) => c.group === picked) ?? data.classes[0]!;
  const choose = (group: string) => {
    setPicked(group);
    // The address keeps the class, so a reload or a bookmark opens the same one.
    window.history.replaceState(null, '', `/classes?class=${encodeURIComponent(group)}`);
  };
  return (
    <>
      <Notice kind="error">{error === null ? null : `Could not refresh: ${error}`}</Notice>
      {data.classes.length > 1 ? (
        <div class="class-pick">
          <ChoiceField name="class" label="Class" value={current.group} onValue={choose} options={data.classes.map((c) => ({ value: c.group, label: classLabel(c) }))} />
        </div>
      ) : null}
      <header class="class-head">
        <h2 id="class-h">{current.name}</h2>
        <p class="muted">{current.devices} {current.devices === 1 ? 'device' : 'devices'}{current.teachers.length > 0 ? ` · taught by ${teachersWords(current.teachers, session?.account.username, data.names)}` : ''}</p>
      </header>
      <Unlocks key={`u-${current.group}`} view={current} names={data.names} tz={tz} onChanged={reload} />
      <LiveView key={`l-${current.group}`} group={current.group} tz={tz} />
    </>
  );
}
