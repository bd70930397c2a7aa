// The investigation pages' words: the end a length in days proposes, a device named with its MAC,
// a count of lookups, a word for every status the gateway reports, and which saving covers an
// ended investigation to its end.
import { expect, it } from 'vitest';
import { deviceWords, finalEvidence, savedByWords, SENIOR_APPROVERS_WORDS, INVESTIGATION_DAYS, INVESTIGATION_DAYS_DEFAULT, INVESTIGATION_STATUS_WORDS, lookupsWords, untilAfter } from '../../../webui/src/pages/incidents/investigation-words.ts';
import { INVESTIGATION_DAYS_MAX, INVESTIGATION_STATUS_LABELS } from '../../../firmware/monitor/investigations/investigation-schema.ts';
import { SENIOR_APPROVERS, SENIOR_NEEDED } from '../../../firmware/control/changes/change-rules.ts';

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

it('says who approves in the words the gateway refuses with: two senior accounts, each a headteacher or a DSL', () => {
  expect(SENIOR_APPROVERS_WORDS).toBe(SENIOR_APPROVERS);
  expect(SENIOR_NEEDED).toBe('an investigation is approved by two senior accounts, each a headteacher or a DSL');
});

it('finds the saving that covers an ended investigation to its end, and none while it is in force or still to be written', () => {
  const soFar = { attachmentId: 3, at: '2026-12-09T10:00:00.000Z', upTo: '2026-12-09T10:00:00.000Z', lookups: 4, sha256: 'a'.repeat(64), by: 'account:a.head' };
  const last = { attachmentId: 4, at: '2026-12-09T12:00:01.000Z', upTo: '2026-12-09T12:00:00.000Z', lookups: 9, sha256: 'b'.repeat(64), by: 'account:b.dsl' };
  const ended = { status: 'ended' as const, endedAt: '2026-12-09T12:00:00.000Z', until: '2026-12-11T09:00:00.000Z' };
  expect(finalEvidence({ ...ended, evidence: [soFar, last] })).toBe(last);
  expect(finalEvidence({ ...ended, evidence: [soFar] })).toBeUndefined();
  expect(finalEvidence({ status: 'expired', endedAt: null, until: '2026-12-09T12:00:00.000Z', evidence: [soFar, last] })).toBe(last);
  expect(finalEvidence({ status: 'in-force', endedAt: null, until: '2026-12-11T09:00:00.000Z', evidence: [soFar] })).toBeUndefined();
});

it('says who saved each file: the person who ended it for the last, the gateway at the expiry, else who pressed the button', () => {
  const person = (actor: string) => ({ 'account:a.head': 'Ann Head (a.head)', 'account:b.dsl': 'Bo Dsl (b.dsl)' } as Record<string, string>)[actor] ?? actor;
  const soFar = { attachmentId: 3, at: '2026-12-09T10:00:00.000Z', upTo: '2026-12-09T10:00:00.000Z', lookups: 4, sha256: 'a'.repeat(64), by: 'account:a.head' };
  const last = { attachmentId: 4, at: '2026-12-09T12:00:01.000Z', upTo: '2026-12-09T12:00:00.000Z', lookups: 9, sha256: 'b'.repeat(64), by: 'account:b.dsl' };
  const ended = { status: 'ended' as const, endedAt: '2026-12-09T12:00:00.000Z', endedBy: 'account:b.dsl', until: '2026-12-11T09:00:00.000Z', evidence: [soFar, last] };
  expect(savedByWords(ended, last, person)).toBe('when Bo Dsl (b.dsl) ended it');
  expect(savedByWords(ended, soFar, person)).toBe('by Ann Head (a.head)');
  // The gateway's later try, after the save at the end failed.
  const retried = { ...last, by: 'system' };
  expect(savedByWords({ ...ended, evidence: [soFar, retried] }, retried, person)).toBe('by the gateway after Bo Dsl (b.dsl) ended it');
  const expired = { status: 'expired' as const, endedAt: '2026-12-09T12:00:00.000Z', endedBy: 'system', until: '2026-12-09T12:00:00.000Z', evidence: [soFar, { ...last, by: 'system' }] };
  expect(savedByWords(expired, expired.evidence[1]!, person)).toBe('by the gateway when it expired');
});
