// The class's devices and their DNS questions over the last hour (or the window chosen), read again
// every 10 seconds while the page is in view: a line that says how it is going, the devices with
// their counts, what was blocked most, and the newest lookups with the blocked ones marked (in
// words, not by colour alone). Every name is plain text: never a link, never a preview.
import { useState } from 'preact/hooks';
import type { ClassLive } from '../../../../firmware/admin/api/classes-schema.ts';
import { Button } from '../../components/button.tsx';
import { ChoiceField } from '../../components/choice-field.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Notice } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { clockTime, lookupName, resultWords, seenWords, summaryWords, WINDOWS } from './class-words.ts';

const LIVE_REFRESH_MS = 10_000;
/** Lookups shown at first, and how many more each "Show more" adds: a phone need not lay out 500. */
const PAGE = 50;

export function LiveView({ group, tz }: { group: string; tz: string }) {
  const [minutes, setMinutes] = useState(60);
  const [shown, setShown] = useState(PAGE);
  const [blockedOnly, setBlockedOnly] = useState(false);
  const { data, error } = useLoaded<ClassLive>(`/api/classes/${encodeURIComponent(group)}/live?minutes=${minutes}`, LIVE_REFRESH_MS);

  const controls = (
    <div class="live-controls">
      <ChoiceField name="window" label="Show the last" value={String(minutes)} onValue={(v) => { setMinutes(Number(v)); setShown(PAGE); }}
        options={WINDOWS.map((m) => ({ value: String(m), label: m < 60 ? `${m} minutes` : m === 60 ? 'hour' : `${m / 60} hours` }))} />
      <label class="live-only-blocked"><input type="checkbox" checked={blockedOnly} onChange={(e) => { setBlockedOnly((e.currentTarget as HTMLInputElement).checked); setShown(PAGE); }} /> Only what was blocked</label>
    </div>
  );
  if (data === null) {
    return (
      <section class="card class-live" aria-labelledby="live-h">
        <h2 id="live-h">What the class looks up</h2>
        {error === null ? <p role="status">Loading…</p> : <Notice kind="error">Could not load what the class looks up: {error}</Notice>}
      </section>
    );
  }
  const lookups = blockedOnly ? data.lookups.filter((l) => l.blocked) : data.lookups;
  return (
    <>
      <section class="card class-live" aria-labelledby="live-h">
        <h2 id="live-h">What the class looks up</h2>
        <p class="live-summary"><strong>{summaryWords(data)}</strong> since {clockTime(data.from, tz)}. <span class="muted">Updated {clockTime(data.to, tz, true)}; it updates itself every 10 seconds.</span></p>
        <Notice kind="error">{error === null ? null : `Could not refresh: ${error}`}</Notice>
        <h3 id="blocked-h">Blocked most</h3>
        {data.blockedNames.length === 0 ? <p>Nothing was blocked in this time.</p> : (
          <ol id="blocked-names" class="blocked-names" aria-labelledby="blocked-h">
            {data.blockedNames.map((b) => (
              <li key={b.name}>
                <span class="mono lookup-name">{b.name}</span>
                <span class="muted">{b.category ?? 'blocked'} · {b.count} {b.count === 1 ? 'time' : 'times'}{b.devices > 1 ? `, ${b.devices} devices` : ''}</span>
              </li>
            ))}
          </ol>
        )}
        <h3 id="lookups-h">Newest first</h3>
        {controls}
        {lookups.length === 0 ? <p>{blockedOnly ? 'Nothing was blocked in this time.' : 'No device in the class has looked anything up in this time.'}</p> : (
          <ol class="lookups" aria-labelledby="lookups-h">
            {lookups.slice(0, shown).map((l, i) => (
              <li key={`${l.at}-${l.mac}-${i}`} class={l.blocked ? 'lookup lookup-blocked' : 'lookup'}>
                <span class="lookup-time">{clockTime(l.at, tz, true)}</span>
                <span class="lookup-device">{l.device}</span>
                <span class={l.restricted || l.name === null ? 'lookup-name muted' : 'lookup-name mono'}>{lookupName(l)}</span>
                <span class={l.blocked ? 'lookup-result tag-blocked' : l.category !== null ? 'lookup-result tag-watched' : 'lookup-result'}>{resultWords(l)}</span>
              </li>
            ))}
          </ol>
        )}
        {lookups.length > shown ? <div class="actions"><Button kind="secondary" onClick={() => setShown(shown + PAGE * 2)}>Show more ({lookups.length - shown} older)</Button></div> : null}
      </section>
      <section class="card class-devices" aria-labelledby="devices-h">
        <h2 id="devices-h">Devices</h2>
        <DataTable
          id="class-devices"
          caption={`${data.name}'s devices: ${data.devices.length}`}
          rows={data.devices}
          rowKey={(d) => d.mac}
          stack
          empty="The class has no devices yet: the school's technician adds them to its device group."
          initialSort={{ key: 'questions', direction: 'descending' }}
          columns={[
            { key: 'name', label: 'Device', value: (d) => d.name },
            { key: 'questions', label: 'Questions', numeric: true, value: (d) => d.questions },
            { key: 'blocked', label: 'Blocked', numeric: true, value: (d) => d.blocked, render: (d) => (d.blocked > 0 ? <strong>{d.blocked}</strong> : '0') },
            { key: 'lastSeen', label: 'Last seen', value: (d) => d.lastSeen ?? '', render: (d) => seenWords(d.lastSeen, tz, new Date()) },
          ]}
        />
      </section>
    </>
  );
}
