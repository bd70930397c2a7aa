// `schoolgate selftest` against a real daemon on loopback (the demo networks, the shipped lists):
// a run from every network, the table and the exit code, a named name failing open, the history,
// and an external result recorded and audited under the caller.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult, SelftestHistory, SelftestRun } from '../../../firmware/monitor/selftest/selftest-schema.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { startTestUpstream } from '../../support/upstream.ts';

let daemon: RunningDaemon;
let stopUpstream: () => Promise<void>;

beforeAll(async () => {
  const upstream = await startTestUpstream();
  stopUpstream = upstream.close;
  daemon = await startDaemonProcess(await testConfig(upstream));
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
  await stopUpstream?.();
});

describe('schoolgate selftest', () => {
  it('runs on every network through the daemon, prints a table per network and exits 0 when all pass', async () => {
    const result = await daemon.cli(['selftest']);
    expect(result.stderr).toContain('pupil: 21 of 21 checks passed');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^pupil \(policy pupil, asked from 127\.20\.0\.1 to 127\.0\.0\.1:\d+\): PASS, 21 of 21 checks passed$/m);
    expect(result.stdout).toMatch(/^ {2}category social +www\.facebook\.com +blocked +127\.20\.0\.1 \(block page\) +pass$/m);
    expect(result.stdout).toContain('not tested: illegal, extremism, self-harm, adult, malware, hate, violence, drugs: no list is shipped');
    expect(result.stdout).toMatch(/Self-test run 1 at .* \(on-demand, ssh:\w+\): every network passed/);
  });

  it('prints the run as JSON for one network', async () => {
    const result = await daemon.cli(['selftest', '--network', 'guest', '--json']);
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout) as SelftestRun;
    expect(run.networks.map((n) => n.network)).toEqual(['guest']);
    expect(run.networks[0]!.checks.every((c) => c.pass)).toBe(true);
  });

  it('fails (exit 1) for a named name expected blocked that the gateway answers from the internet', async () => {
    const open = await daemon.cli(['selftest', '--network', 'pupil', '--name', 'news.example.test', '--json']);
    expect(open.code).toBe(1);
    const probe = JSON.parse(open.stdout) as ProbeResult;
    expect(probe.check).toMatchObject({ expected: 'blocked', pass: false, failOpen: true });
    expect(probe.policy).toBe('allowed');
    const human = await daemon.cli(['selftest', '-n', 'pupil', '--name', 'news.example.test']);
    expect(human.stdout).toMatch(/^news\.example\.test on pupil \(asked from 127\.20\.0\.1 to 127\.0\.0\.1:\d+\): FAIL \(fail-open/);
    const shut = await daemon.cli(['selftest', '-n', 'pupil', '--name', 'www.tinder.com']);
    expect(shut.code).toBe(0);
  });

  it('records an external result, audited under the caller, and shows it in the history', async () => {
    const recorded = await daemon.cli(['selftest', 'record-external', '--network', 'pupil', '--result', 'pass', '--note', 'SWGfL test 2026-12-01']);
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toContain('External test recorded for pupil: pass ("SWGfL test 2026-12-01")');
    const history = JSON.parse((await daemon.cli(['selftest', '--history', '--json'])).stdout) as SelftestHistory;
    expect(history.runs.map((r) => r.networks)).toEqual([['guest'], ['staff', 'pupil', 'guest']]);
    expect(history.rates.find((r) => r.network === 'guest')).toMatchObject({ runs: 2, runsPassed: 2, failOpens: 0 });
    expect(history.external).toEqual([expect.objectContaining({ network: 'pupil', result: 'pass', note: 'SWGfL test 2026-12-01', recordedBy: expect.stringMatching(/^ssh:/) })]);
    const human = await daemon.cli(['selftest', '--history']);
    expect(human.stdout).toMatch(/^ {2}guest +2\/2 \(100%\)/m);
    const shown = await daemon.cli(['selftest', '--show', String(history.runs[1]!.id)]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^pupil \(policy pupil, asked from 127\.20\.0\.1 to 127\.0\.0\.1:\d+\): PASS, 21 of 21 checks passed$/m);
    const state = StateDatabase.open(join(daemon.dataDir, 'state.db'));
    try {
      expect(state.audit.list({ action: 'selftest.external' })).toEqual([expect.objectContaining({ subject: 'pupil', details: expect.objectContaining({ result: 'pass' }) })]);
    } finally {
      state.close();
    }
  });

  it('refuses bad input, storing nothing', async () => {
    expect((await daemon.cli(['selftest', 'record-external', '--network', 'pupil', '--result', 'maybe', '--note', 'x'])).code).toBe(2);
    expect((await daemon.cli(['selftest', 'record-external', '--network', 'pupil', '--result', 'pass'])).code).toBe(2);
    const unknown = await daemon.cli(['selftest', 'record-external', '--network', 'library', '--result', 'fail', '--note', 'x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('there is no network "library"');
    expect((await daemon.cli(['selftest', '--name', 'x.test'])).code).toBe(2);
    expect((await daemon.cli(['selftest', '--history', '--network', 'pupil'])).code).toBe(2);
    const missing = await daemon.cli(['selftest', '--show', '99']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('there is no self-test run 99');
    const history = JSON.parse((await daemon.cli(['selftest', '--history', '--json'])).stdout) as SelftestHistory;
    expect(history.external).toHaveLength(1);
  });
});
