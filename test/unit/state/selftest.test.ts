// The self-test's history in state.db: runs kept whole, summaries and pass rates per network, and
// external results refused when malformed without anything stored.
import { describe, expect, it } from 'vitest';
import type { NetworkRun } from '../../../firmware/monitor/selftest/selftest-schema.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { InvalidInputError } from '../../../firmware/state/values.ts';

const passing = (network: string): NetworkRun => ({
  network, policy: network, source: '10.20.0.1', server: '10.20.0.1:53', error: null, passed: true, untested: [{ subject: 'illegal', reason: 'no list' }],
  checks: [
    { kind: 'category', subject: 'social', name: 'www.facebook.com', category: 'social', critical: false, expected: 'blocked', blockAnswer: 'block-page', got: '10.20.0.1 (block page)', pass: true, failOpen: false },
    { kind: 'safe-search', subject: 'Google', name: 'www.google.com', critical: false, expected: 'rewritten', rewrite: 'forcesafesearch.google.com', got: 'CNAME forcesafesearch.google.com -> 198.51.100.90', pass: true, failOpen: false },
  ],
});
const failing = (network: string): NetworkRun => {
  const run = passing(network);
  run.passed = false;
  run.checks[0] = { ...run.checks[0]!, got: '198.51.100.81 (should be blocked)', pass: false, failOpen: true };
  return run;
};

describe('the self-test history', () => {
  it('keeps a run whole and gives it back as recorded', () => {
    const state = StateDatabase.open(':memory:');
    const run = state.selftest.record({ at: new Date('2026-12-07T07:15:00Z'), trigger: 'scheduled', actor: 'system', networks: [passing('pupil'), failing('guest')] });
    expect(run).toMatchObject({ id: 1, at: '2026-12-07T07:15:00.000Z', passed: false, failOpen: true });
    expect(state.selftest.get(1)).toEqual(run);
    expect(state.selftest.get(2)).toBeUndefined();
    state.close();
  });

  it('summarises runs newest first and rates each network over every run kept', () => {
    const state = StateDatabase.open(':memory:');
    state.selftest.record({ at: new Date('2026-12-05T07:15:00Z'), trigger: 'scheduled', actor: 'system', networks: [passing('pupil'), failing('guest')] });
    state.selftest.record({ at: new Date('2026-12-06T07:15:00Z'), trigger: 'scheduled', actor: 'system', networks: [passing('pupil'), passing('guest')] });
    state.selftest.record({ at: new Date('2026-12-06T09:00:00Z'), trigger: 'on-demand', actor: 'ssh:head', networks: [{ ...passing('pupil'), passed: false, error: 'no gateway address', checks: [] }] });
    expect(state.selftest.runs().map((r) => [r.id, r.trigger, r.passed, r.checks, r.failed, r.failOpens, r.networks])).toEqual([
      [3, 'on-demand', false, 0, 1, 0, ['pupil']],
      [2, 'scheduled', true, 4, 0, 0, ['pupil', 'guest']],
      [1, 'scheduled', false, 4, 1, 1, ['pupil', 'guest']],
    ]);
    expect(state.selftest.rates()).toEqual([
      { network: 'guest', runs: 2, runsPassed: 1, checks: 4, checksPassed: 3, failOpens: 1, lastRun: '2026-12-06T07:15:00.000Z', lastPassed: true },
      { network: 'pupil', runs: 3, runsPassed: 2, checks: 4, checksPassed: 4, failOpens: 0, lastRun: '2026-12-06T09:00:00.000Z', lastPassed: false },
    ]);
    state.close();
  });

  it('records external results beside the runs, and refuses a bad one without storing anything', () => {
    const state = StateDatabase.open(':memory:');
    const recorded = state.selftest.recordExternal({ at: new Date('2026-12-01T10:00:00Z'), network: 'pupil', result: 'pass', note: '  SWGfL test 2026-12-01 ', recordedBy: 'ssh:head' });
    expect(recorded).toEqual({ id: 1, at: '2026-12-01T10:00:00.000Z', network: 'pupil', result: 'pass', note: 'SWGfL test 2026-12-01', recordedBy: 'ssh:head' });
    expect(() => state.selftest.recordExternal({ at: new Date(), network: 'pupil', result: 'pass', note: '   ', recordedBy: 'ssh:head' })).toThrow(InvalidInputError);
    expect(() => state.selftest.recordExternal({ at: new Date(), network: 'Pupil Net', result: 'pass', note: 'x', recordedBy: 'ssh:head' })).toThrow(InvalidInputError);
    expect(() => state.selftest.recordExternal({ at: new Date(), network: 'pupil', result: 'maybe' as 'pass', note: 'x', recordedBy: 'ssh:head' })).toThrow(InvalidInputError);
    expect(state.selftest.external()).toEqual([recorded]);
    state.close();
  });
});
