// The class view's words: a lookup's result as a teacher reads it (a restricted name never shown),
// the window's summary, times on the school's clocks, and the unlock form's lengths within the
// head's longest.
import { describe, expect, it } from 'vitest';
import {
  byWords, clockTime, defaultMinutes, lookupName, minuteChoices, resultWords, seenWords, summaryWords, teachersWords, unlockableNow, untilWords,
} from '../../../webui/src/pages/classes/class-words.ts';

const device = (questions: number, blocked: number) => ({ mac: '02:00:00:00:00:01', name: 'iPad', lastSeen: null, questions, blocked });

describe('class words', () => {
  it('marks a blocked lookup with its category and a watched one as allowed', () => {
    expect(resultWords({ blocked: true, category: 'Online gaming', restricted: false })).toBe('Blocked: Online gaming');
    expect(resultWords({ blocked: true, category: null, restricted: false })).toBe('Blocked');
    expect(resultWords({ blocked: false, category: 'Social networking', restricted: false })).toBe('Allowed, watched: Social networking');
    expect(resultWords({ blocked: false, category: null, restricted: false })).toBe('Allowed');
  });

  it('never shows a name on an illegal-content list', () => {
    expect(lookupName({ name: 'games.example', restricted: false })).toBe('games.example');
    expect(lookupName({ name: null, restricted: true })).toBe('A name on an illegal-content list (never shown)');
    expect(lookupName({ name: 'hidden.example', restricted: true })).not.toContain('hidden');
  });

  it('sums the window over the devices, counting those that asked anything', () => {
    expect(summaryWords({ devices: [device(40, 3), device(2, 0), device(0, 0)] })).toBe('42 questions, 3 blocked, from 2 of 3 devices');
    expect(summaryWords({ devices: [device(1, 0)] })).toBe('1 question, 0 blocked, from 1 of 1 device');
    expect(summaryWords({ devices: [] })).toBe('0 questions, 0 blocked, from 0 of 0 devices');
  });

  it('writes times on the school\'s clocks, British Summer Time included', () => {
    expect(clockTime('2026-12-07T09:05:07.000Z', 'Europe/London')).toBe('09:05');
    expect(clockTime('2026-07-07T09:05:07.000Z', 'Europe/London', true)).toBe('10:05:07');
    expect(untilWords(new Date('2026-12-07T09:05:00.000Z'), 30, 'Europe/London')).toBe('09:35');
    const now = new Date('2026-12-07T14:00:00.000Z');
    expect(seenWords('2026-12-07T08:45:00.000Z', 'Europe/London', now)).toBe('08:45');
    expect(seenWords('2026-12-04T15:10:00.000Z', 'Europe/London', now)).toBe('4 Dec, 15:10');
    expect(seenWords(null, 'Europe/London', now)).toBe('not yet');
  });

  it('offers lengths up to the head\'s longest, the longest itself last, and a lesson to start with', () => {
    expect(minuteChoices(60)).toEqual([15, 30, 45, 60]);
    expect(minuteChoices(50)).toEqual([15, 30, 45, 50]);
    expect(minuteChoices(10)).toEqual([10]);
    expect(minuteChoices(480)).toEqual([15, 30, 45, 60, 90, 120, 180, 240, 360, 480]);
    expect(defaultMinutes(90)).toBe(60);
    expect(defaultMinutes(20)).toBe(20);
  });

  it('names the signed-in teacher "you", first among the class\'s teachers', () => {
    expect(teachersWords(['j.smith', 's.teacher'], 's.teacher')).toBe('you and j.smith');
    expect(teachersWords(['j.smith', 'k.jones', 'a.b'], 's.head')).toBe('j.smith, k.jones and a.b');
    expect(byWords('account:s.teacher', 's.teacher')).toBe('you');
    expect(byWords('account:j.smith', 's.teacher')).toBe('j.smith');
  });

  it('names the other teachers and who made an unlock by their names, as every page names a person', () => {
    const names = { 'account:j.smith': 'Jo Smith', 'account:k.jones': 'Kay Jones' };
    expect(teachersWords(['j.smith', 's.teacher', 'k.jones'], 's.teacher', names)).toBe('you, Jo Smith (j.smith) and Kay Jones (k.jones)');
    // An account gone since (no name sent) keeps its username.
    expect(teachersWords(['j.smith', 'a.gone'], 's.head', names)).toBe('Jo Smith (j.smith) and a.gone');
    expect(byWords('account:j.smith', 's.teacher', names)).toBe('Jo Smith (j.smith)');
    expect(byWords('ssh:tess', 's.teacher', names)).toBe('tess (over SSH)');
  });

  it('does not offer again a category already unlocked for the class', () => {
    const unlockable = [{ category: 'streaming', title: 'Video and music streaming', maxMinutes: 60 }, { category: 'gaming', title: 'Online gaming', maxMinutes: 30 }];
    const unlock = { id: 'unlock-1', group: 'year6', category: 'streaming', categoryTitle: 'Video and music streaming', from: '2026-12-07T09:00:00.000Z', until: '2026-12-07T09:30:00.000Z', by: 'account:s.teacher', reason: 'a film' };
    expect(unlockableNow({ unlockable, unlocks: [unlock] }).map((u) => u.category)).toEqual(['gaming']);
    expect(unlockableNow({ unlockable, unlocks: [] })).toEqual(unlockable);
  });
});
