// The investigation pages' words: the end a length in days proposes, a device named with its MAC,
// a count of lookups, and a word for every status the gateway reports.
import { expect, it } from 'vitest';
import { deviceWords, INVESTIGATION_DAYS, INVESTIGATION_DAYS_DEFAULT, INVESTIGATION_STATUS_WORDS, lookupsWords, untilAfter } from '../../../webui/src/pages/incidents/investigation-words.ts';
import { INVESTIGATION_DAYS_MAX, INVESTIGATION_STATUS_LABELS } from '../../../firmware/monitor/investigations/investigation-schema.ts';

it('proposes an end whole days after now, never more than the gateway allows', () => {
  const now = new Date('2026-12-08T15:04:05.000Z');
  expect(untilAfter(3, now)).toBe('2026-12-11T15:04:05.000Z');
  expect(untilAfter(1, now)).toBe('2026-12-09T15:04:05.000Z');
  expect(Math.max(...INVESTIGATION_DAYS)).toBe(INVESTIGATION_DAYS_MAX);
  expect(INVESTIGATION_DAYS).toContain(INVESTIGATION_DAYS_DEFAULT);
});

it('names a device by its name and MAC, or its MAC alone', () => {
  expect(deviceWords('02:00:00:00:06:07', 'Year 6 iPad 7')).toBe('Year 6 iPad 7 (02:00:00:00:06:07)');
  expect(deviceWords('02:00:00:00:06:07', '')).toBe('02:00:00:00:06:07');
  expect(deviceWords('02:00:00:00:06:07', null)).toBe('02:00:00:00:06:07');
});

it('counts lookups in words', () => {
  expect(lookupsWords(0)).toBe('0 lookups');
  expect(lookupsWords(1)).toBe('1 lookup');
  expect(lookupsWords(12)).toBe('12 lookups');
});

it('says each status in the words every other surface uses', () => {
  expect(INVESTIGATION_STATUS_WORDS).toEqual(INVESTIGATION_STATUS_LABELS);
});
