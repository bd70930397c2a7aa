// Durations as a technician writes them, and the set-element lines a suspension becomes. The
// lines' syntax is proven by the kernel in test/lab/suspend.test.ts; here, what they say.
import { describe, expect, test } from 'vitest';
import { parseDuration } from '../../../firmware/cli/duration.ts';
import { MAX_SUSPENSION_SECONDS } from '../../../firmware/net/suspensions.ts';
import { allSuspensionLines, removalLines, suspensionLines } from '../../../firmware/net/suspensions.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

describe('parseDuration', () => {
  test('days, hours, minutes, seconds and combinations in that order', () => {
    expect(parseDuration('1d')).toBe(86_400);
    expect(parseDuration('3h')).toBe(10_800);
    expect(parseDuration('30m')).toBe(1_800);
    expect(parseDuration('45s')).toBe(45);
    expect(parseDuration(' 1D12h ')).toBe(129_600);
    expect(parseDuration('366d')).toBe(MAX_SUSPENSION_SECONDS);
  });

  test('refuses what is not a duration, no time at all, and more than a year', () => {
    for (const bad of ['', '1', 'd', 'tomorrow', '1h1d', '-1h', '1.5h', '2 h']) expect(() => parseDuration(bad), bad).toThrow(/not a duration/);
    expect(() => parseDuration('0m')).toThrow(/no time at all/);
    expect(() => parseDuration('367d')).toThrow(/longer than a year/);
  });
});

describe('suspension set elements', () => {
  const now = new Date('2026-12-07T09:00:00.000Z');

  test('a suspension replaces any element the MAC had, with the time left rounded up to a second', () => {
    expect(suspensionLines('3C-22-FB-01-A2-9F', new Date('2026-12-07T12:00:00.400Z'), now)).toEqual([
      'add element inet schoolgate suspended { 3c:22:fb:01:a2:9f timeout 1s }',
      'delete element inet schoolgate suspended { 3c:22:fb:01:a2:9f }',
      'add element inet schoolgate suspended { 3c:22:fb:01:a2:9f timeout 10801s }',
    ]);
    expect(removalLines('3c22.fb01.a29f')).toEqual(suspensionLines('3c:22:fb:01:a2:9f', new Date('2026-12-08T09:00:00Z'), now).slice(0, 2));
  });

  test('an ended suspension adds nothing; a bad MAC never reaches nft', () => {
    expect(suspensionLines('3c:22:fb:01:a2:9f', now, now)).toEqual([]);
    expect(() => suspensionLines('3c:22:fb:01:a2; flush ruleset', new Date('2026-12-08T09:00:00Z'), now)).toThrow();
  });

  test('at start, every suspension still in force in state.db and none that lapsed', () => {
    let clock = new Date('2026-12-07T08:00:00Z');
    const state = StateDatabase.open(':memory:', { now: () => clock });
    try {
      for (const mac of ['3c:22:fb:01:a2:01', '3c:22:fb:01:a2:02', '3c:22:fb:01:a2:03']) state.devices.upsertSeen(mac, 'pupil', clock);
      state.devices.suspend('3c:22:fb:01:a2:01', new Date('2026-12-07T09:30:00Z'), 'misuse');
      state.devices.suspend('3c:22:fb:01:a2:02', new Date('2026-12-07T08:30:00Z'), 'lapses before the restart');
      clock = now;
      const lines = allSuspensionLines(state.devices.list(), now);
      expect(lines).toHaveLength(3);
      expect(lines.at(-1)).toBe('add element inet schoolgate suspended { 3c:22:fb:01:a2:01 timeout 1800s }');
    } finally {
      state.close();
    }
  });
});
