// state.db's incident log: every change is a new timeline entry and nothing can be updated or
// deleted (not even with SQL), one incident per alert, the outcome's four values, sign-off only
// with an outcome and no open IT task, then only corrections; bad input changes nothing.
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { IncidentStateError } from '../../../firmware/state/incidents.ts';
import { InvalidInputError, NotFoundError } from '../../../firmware/state/values.ts';
import { useTempDir } from './temp-dir.ts';

let db: StateDatabase | undefined;
afterEach(() => db?.close());
const tempDir = useTempDir();

const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 9, minute));
const opened = { occurredAt: '2026-12-07T08:55:00.000Z', what: 'A pupil saw an upsetting video in the library', people: 'Pupil ref 2291; Mr Jones (teacher)', reportedBy: 'Mr Jones' };

function byHand(state: StateDatabase) {
  return state.incidents.open({ source: 'hand', opened }, 'account:head', at(0)).incident;
}

describe('IncidentRepository', () => {
  it('keeps every change as a new entry on the timeline, oldest first, folded into the paper log', () => {
    db = StateDatabase.open(':memory:');
    const { id } = byHand(db);
    db.incidents.append(id, 'note', { text: 'Spoke to the pupil with the class teacher.' }, 'account:dsl', at(5));
    const withAction = db.incidents.append(id, 'action', { what: 'Refer to technical support: check why the site was allowed', by: 'IT provider', at: at(6).toISOString(), itProvider: true }, 'account:dsl', at(6));
    const action = withAction.actions[0]!.entry;
    expect(withAction.openTasks).toBe(1);
    expect(db.incidents.openTasks()).toEqual([expect.objectContaining({ incidentId: id, action, by: 'IT provider' })]);
    db.incidents.append(id, 'task-done', { action, note: 'Added to the school list' }, 'account:tech', at(30));
    db.incidents.append(id, 'outcome', { outcome: 'internal-action', note: 'Parents informed' }, 'account:dsl', at(40));
    const closed = db.incidents.append(id, 'sign-off', { note: '' }, 'account:head', at(50));

    expect(closed.status).toBe('closed');
    expect(closed.timeline.map((e) => e.kind)).toEqual(['opened', 'note', 'action', 'task-done', 'outcome', 'sign-off']);
    expect(closed.actions[0]!.task).toEqual({ status: 'done', doneAt: at(30).toISOString(), doneBy: 'account:tech', note: 'Added to the school list' });
    expect(closed).toMatchObject({ what: opened.what, people: opened.people, reportedBy: 'Mr Jones', outcome: { outcome: 'internal-action', by: 'account:dsl' }, signOff: { by: 'account:head', at: at(50).toISOString() }, openTasks: 0 });
    expect(db.incidents.openTasks()).toEqual([]);
  });

  it('refuses any update or delete, even in SQL, so a correction is the only way to change the record', () => {
    const file = `${tempDir()}/state.db`;
    db = StateDatabase.open(file);
    const { id } = byHand(db);
    const note = db.incidents.append(id, 'note', { text: 'The pupil was in year 4' }, 'account:dsl', at(1)).notes[0]!.entry;
    const raw = new DatabaseSync(file);
    try {
      expect(() => raw.exec("UPDATE incident_entries SET body = '{}'")).toThrow(/append-only/);
      expect(() => raw.exec('DELETE FROM incident_entries')).toThrow(/append-only/);
      expect(() => raw.exec('DELETE FROM incidents')).toThrow(/append-only/);
      expect(() => raw.exec("UPDATE incidents SET opened_by = 'x'")).toThrow(/append-only/);
    } finally {
      raw.close();
    }
    const corrected = db.incidents.append(id, 'correction', { corrects: note, text: 'The pupil was in year 5', reason: 'misread the register' }, 'account:dsl', at(2));
    expect(corrected.notes[0]!.text).toBe('The pupil was in year 4');
    expect(corrected.timeline.find((e) => e.id === note)!.correctedBy).toEqual([corrected.timeline.at(-1)!.id]);
    expect(() => db!.incidents.append(id, 'correction', { corrects: 999, text: 'x', reason: 'y' }, 'account:dsl', at(3))).toThrow(IncidentStateError);
  });

  it('opens one incident per alert however often it is asked', () => {
    db = StateDatabase.open(':memory:');
    const first = db.incidents.open({ source: 'alert', alertId: 7, opened }, 'system', at(0));
    const again = db.incidents.open({ source: 'alert', alertId: 7, opened: { ...opened, what: 'twice' } }, 'account:head', at(1));
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, incident: { id: first.incident.id, what: opened.what, openedBy: 'system' } });
    expect(db.incidents.count()).toBe(1);
    expect(db.incidents.byAlert(7)?.id).toBe(first.incident.id);
    expect(db.incidents.byAlert(8)).toBeUndefined();
  });

  it('takes the four outcomes and nothing else; a later outcome replaces the field and both stay on the timeline', () => {
    db = StateDatabase.open(':memory:');
    const { id } = byHand(db);
    for (const outcome of ['no-substance', 'internal-action', 'trust-or-la', 'police'] as const) {
      expect(db.incidents.append(id, 'outcome', { outcome, note: '' }, 'account:dsl', at(1)).outcome?.outcome).toBe(outcome);
    }
    expect(() => db!.incidents.append(id, 'outcome', { outcome: 'expelled' as 'police', note: '' }, 'account:dsl', at(2))).toThrow(InvalidInputError);
    expect(db.incidents.get(id).timeline.filter((e) => e.kind === 'outcome')).toHaveLength(4);
    const range = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-08T00:00:00Z') };
    expect(db.incidents.countsByOutcome(range)).toEqual({ 'no-substance': 0, 'internal-action': 0, 'trust-or-la': 0, police: 1, none: 0 });
  });

  it('signs off only with an outcome and no open IT task, once; after that only corrections', () => {
    db = StateDatabase.open(':memory:');
    const { id } = byHand(db);
    expect(() => db!.incidents.append(id, 'sign-off', { note: '' }, 'account:head', at(1))).toThrow(/outcome before signing off/);
    const action = db.incidents.append(id, 'action', { what: 'Refer to technical support', by: 'IT provider', at: at(1).toISOString(), itProvider: true }, 'account:dsl', at(1)).actions[0]!.entry;
    db.incidents.append(id, 'outcome', { outcome: 'no-substance', note: '' }, 'account:dsl', at(2));
    expect(() => db!.incidents.append(id, 'sign-off', { note: '' }, 'account:head', at(3))).toThrow(/1 task for the IT provider still open/);
    db.incidents.append(id, 'task-done', { action, note: '' }, 'account:tech', at(4));
    expect(() => db!.incidents.append(id, 'task-done', { action, note: '' }, 'account:tech', at(4))).toThrow(/already marked done by account:tech/);
    db.incidents.append(id, 'sign-off', { note: 'Reviewed' }, 'account:head', at(5));
    expect(() => db!.incidents.append(id, 'sign-off', { note: '' }, 'account:head', at(6))).toThrow(/only a correction/);
    expect(() => db!.incidents.append(id, 'note', { text: 'late' }, 'account:head', at(6))).toThrow(IncidentStateError);
    const corrected = db.incidents.append(id, 'correction', { corrects: action, text: 'It was the filtering provider', reason: 'wrong party' }, 'account:head', at(7));
    expect(corrected.status).toBe('closed');
    expect(db.incidents.list({ status: 'closed' }).map((s) => s.id)).toEqual([id]);
    expect(db.incidents.list({ status: 'open' })).toEqual([]);
  });

  it('refuses bad input whole and changes nothing', () => {
    db = StateDatabase.open(':memory:');
    const { id } = byHand(db);
    const before = db.incidents.get(id).timeline.length;
    expect(() => db!.incidents.append(id, 'note', { text: '' }, 'account:dsl', at(1))).toThrow(InvalidInputError);
    expect(() => db!.incidents.append(id, 'note', { text: 'x'.repeat(4001) }, 'account:dsl', at(1))).toThrow(InvalidInputError);
    expect(() => db!.incidents.append(id, 'task-done', { action: 1, note: '' }, 'account:dsl', at(1))).toThrow(/not a task for the IT provider|no action/);
    expect(() => db!.incidents.append(99, 'note', { text: 'x' }, 'account:dsl', at(1))).toThrow(NotFoundError);
    expect(() => db!.incidents.open({ source: 'hand', opened: { ...opened, what: '' } }, 'account:head', at(1))).toThrow(InvalidInputError);
    expect(() => db!.incidents.open({ source: 'alert', opened }, 'account:head', at(1))).toThrow(/names the alert/);
    expect(db.incidents.get(id).timeline).toHaveLength(before);
    expect(db.incidents.count()).toBe(1);
  });

  it('lists open incidents first, then newest; gives reports a range, and an anonymised shape with no typed text', () => {
    db = StateDatabase.open(':memory:');
    const a = db.incidents.open({ source: 'hand', opened }, 'account:head', at(0)).incident.id;
    const b = db.incidents.open({ source: 'hand', opened: { ...opened, occurredAt: '2026-11-20T10:00:00.000Z' } }, 'account:head', at(1)).incident.id;
    db.incidents.append(b, 'outcome', { outcome: 'no-substance', note: '' }, 'account:dsl', at(2));
    db.incidents.append(b, 'sign-off', { note: '' }, 'account:head', at(3));
    const c = db.incidents.open({ source: 'hand', opened }, 'account:head', at(4)).incident.id;
    expect(db.incidents.list().map((s) => s.id)).toEqual([c, a, b]);
    expect(db.incidents.openIncidents().map((i) => i.id)).toEqual([a, c]);
    const week = { from: new Date('2026-12-07T00:00:00Z'), to: new Date('2026-12-14T00:00:00Z') };
    expect(db.incidents.inRange(week).map((i) => i.id)).toEqual([a, c]);
    const anonymised = db.incidents.anonymised({ from: new Date('2026-01-01T00:00:00Z'), to: week.to });
    expect(anonymised).toHaveLength(3);
    const text = JSON.stringify(anonymised);
    for (const secret of ['2291', 'Jones', 'library', 'account:']) expect(text).not.toContain(secret);
  });
});
