// The filter self-test in the lab: the daemon in `gw` with enforcement on and a restricted list
// carrying a test name, the self-test run from each lab network (staff, pupil, guest) through the
// real CLI and the gateway's own DNS listeners, every check passing and pupil failing open
// nowhere; then a name the daemon answers from the lab's internet, asked as one expected
// blocked, which must fail as a fail-open: the check can fail.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { GW_WAN_INTERFACE, INTERNET, SCHOOL_NETWORKS } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT } from '../../scripts/netlab/gateway.ts';
import type { ProbeResult, SelftestHistory, SelftestRun } from '../../firmware/monitor/selftest/selftest-schema.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'selftest.test', clients: 'none' });
const RESTRICTED_TEST = 'selftest.restricted.test';

/** `schoolgate ARGS --json` in gw: the exit code and the parsed output. */
async function cli<T>(args: string[]): Promise<{ code: number | null; out: T }> {
  const r = await lab().exec('gw', [NODE, MAIN, ...args, '--json', '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT, timeoutMs: 120_000 });
  try {
    return { code: r.code, out: JSON.parse(r.stdout) as T };
  } catch {
    throw new Error(`schoolgate ${args.join(' ')} printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

describe('the filter self-test from each lab network', () => {
  test('every check passes on staff, pupil and guest, asked from the gateway\'s address there; pupil fails open nowhere', async () => {
    const listFile = join(lab().scratch('lists'), 'restricted.txt');
    await writeFile(listFile, `${RESTRICTED_TEST}\n`);
    const config = lab().gatewayConfig();
    config.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
    config.lists.push({ id: 'provider-restricted', name: 'Provider restricted list', category: 'illegal', file: listFile, format: 'domains', restricted: true, enabled: true, testName: RESTRICTED_TEST });
    await lab().startGateway(config);

    const { code, out: run } = await cli<SelftestRun>(['selftest']);
    const failures = run.networks.flatMap((n) => (n.error ? [`${n.network}: ${n.error}`] : n.checks.filter((c) => !c.pass).map((c) => `${n.network}: ${c.subject} ${c.name} expected ${c.expected}, got ${c.got}`)));
    expect(failures).toEqual([]);
    expect(code).toBe(0);
    expect(run).toMatchObject({ passed: true, failOpen: false, trigger: 'on-demand' });
    expect(run.networks.map((n) => [n.network, n.source, n.server])).toEqual(SCHOOL_NETWORKS.map((n) => [n.id, n.gateway, `${n.gateway}:53`]));

    const pupil = run.networks.find((n) => n.network === 'pupil')!;
    expect(pupil.checks.filter((c) => c.failOpen)).toEqual([]);
    // The restricted list, on every network: blocked with that network's block page.
    for (const n of run.networks) {
      const gateway = SCHOOL_NETWORKS.find((s) => s.id === n.network)!.gateway;
      expect(n.checks.find((c) => c.kind === 'list')).toMatchObject({ critical: true, expected: 'blocked', got: `${gateway} (block page)`, pass: true });
      expect(n.untested.map((u) => u.subject)).not.toContain('illegal');
    }
    // What pupils must never reach, blocked by the gateway itself; safe search through the lab's internet.
    for (const subject of ['social', 'chat', 'dating', 'gambling', 'bypass']) {
      expect(pupil.checks.find((c) => c.subject === subject), subject).toMatchObject({ expected: 'blocked', got: '10.20.0.1 (block page)' });
    }
    expect(pupil.checks.find((c) => c.subject === 'YouTube')).toMatchObject({ got: `CNAME restrict.youtube.com -> ${INTERNET.safeSearch}`, pass: true });
    expect(pupil.checks.filter((c) => c.kind === 'canary').map((c) => c.got)).toEqual(['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN']);
    // Staff's acceptable categories are forwarded (the lab's internet knows none of them: NXDOMAIN).
    expect(run.networks[0]!.checks.find((c) => c.subject === 'social')).toMatchObject({ expected: 'allowed', got: 'NXDOMAIN', pass: true });

    const { out: history } = await cli<SelftestHistory>(['selftest', '--history']);
    expect(history.runs).toEqual([expect.objectContaining({ id: run.id, passed: true, failOpens: 0, networks: ['staff', 'pupil', 'guest'] })]);
    expect(history.rates.map((r) => [r.network, r.runsPassed, r.runs, r.failOpens])).toEqual([['guest', 1, 1, 0], ['pupil', 1, 1, 0], ['staff', 1, 1, 0]]);
  });

  test('a name the gateway answers from the internet, asked as one pupils must not reach, fails as a fail-open', async () => {
    const { code, out } = await cli<ProbeResult>(['selftest', '--network', 'pupil', '--name', 'www.school.test', '--expect', 'blocked']);
    expect(code).toBe(1);
    expect(out).toMatchObject({ network: 'pupil', source: '10.20.0.1', policy: 'allowed' });
    expect(out.check).toMatchObject({ expected: 'blocked', got: `${INTERNET.web} (should be blocked)`, pass: false, failOpen: true });
    const blocked = await cli<ProbeResult>(['selftest', '--network', 'pupil', '--name', 'www.school.test', '--expect', 'allowed']);
    expect(blocked.code).toBe(0);
  });
});
