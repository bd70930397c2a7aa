// `schoolgate selftest`: the filter self-test, run now through the daemon (real questions to its
// DNS listeners as a device on each network), its history for the annual review, and the
// external test's result (SWGfL's) recorded beside it.
import { callDaemon } from '../../control/client.ts';
import type { ExternalTest, ProbeResult, SelftestHistory, SelftestRun } from '../../monitor/selftest/selftest-schema.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatExternal, formatHistory, formatProbe, formatRun } from '../format-selftest.ts';

const write = (values: OptionValues, json: unknown, human: string): void => {
  process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : human);
};

/** Each network's questions may wait for the upstreams; progress after each network resets this. */
const RUN_TIMEOUT_MS = 180_000;

async function recordExternal(values: OptionValues): Promise<number> {
  if (typeof values.network !== 'string') throw new UsageError('record-external needs --network (the network the external test was run from)');
  if (values.result !== 'pass' && values.result !== 'fail') throw new UsageError('record-external needs --result pass or --result fail');
  if (typeof values.note !== 'string' || values.note.trim() === '') throw new UsageError('record-external needs --note: which test and when, e.g. "SWGfL test 2026-12-01"');
  const recorded = await callDaemon(socketOf(values), 'selftest.record-external', { network: values.network, result: values.result, note: values.note.trim() }) as ExternalTest;
  write(values, recorded, formatExternal(recorded));
  return EXIT.ok;
}

export const selftest: Command = {
  positionals: true,
  summary: 'test the filter from each network now, or show the self-test history',
  usage: `schoolgate selftest [--network N] [--json]
schoolgate selftest --network N --name NAME [--expect blocked|allowed] [--json]
schoolgate selftest --history [--json]
schoolgate selftest --show RUN [--json]
schoolgate selftest record-external --network N --result pass|fail --note "TEXT"

Runs the filter self-test now. For each enabled network the daemon asks its own DNS listener, from
its address on that network (so DNS answers it as a device there), for: each category's test name,
the search engines (safe search), the DoH canaries and browsers' DoH resolvers, and each list
configured with a testName (restricted lists included). The expected answer is what the policy in
force says now (as schoolgate check would); a name the policy blocks but the gateway answered from
the internet is a FAIL-OPEN. Exit 0 when every check passed, 1 on any failure. Each run is kept in
the history for the annual review; the daemon also runs one every day at 07:15.

  --name NAME       asks one name as a device on --network would and compares the answer with
                    --expect (default blocked); what the policy says is shown beside it. For a
                    site a head wants to be sure of; not kept in the history
  --history         runs, newest first, pass rates per network and the external tests recorded
  --show RUN        one kept run, every check as it was printed then
  record-external   records an external filter test's result (the SWGfL test) beside the
                    internal ones; in the audit log under your name

${dataDirHelp}
  -n, --network N   only this network (run, record-external)
      --expect E    (--name) blocked or allowed
      --result R    (record-external) pass or fail
      --note TEXT   (record-external) which test, when, by whom
      --json        print the result as JSON`,
  options: {
    ...dataDirOption, network: { type: 'string', short: 'n' }, history: { type: 'boolean' }, json: { type: 'boolean' },
    result: { type: 'string' }, note: { type: 'string' }, name: { type: 'string' }, expect: { type: 'string' }, show: { type: 'string' },
  },
  async run(values, positionals) {
    const [action, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (action === 'record-external') return recordExternal(values);
    if (action !== undefined) throw new UsageError(`unknown selftest action "${action}" (selftest, selftest --history, selftest record-external)`);
    if (values.result !== undefined || values.note !== undefined) throw new UsageError('--result and --note belong to selftest record-external');
    if (values.expect !== undefined && values.name === undefined) throw new UsageError('--expect goes with --name');
    if (typeof values.name === 'string') {
      if (typeof values.network !== 'string') throw new UsageError('--name needs --network: the network whose devices you are testing for');
      const expect = values.expect ?? 'blocked';
      if (expect !== 'blocked' && expect !== 'allowed') throw new UsageError(`--expect must be blocked or allowed, not "${String(expect)}"`);
      const probe = await callDaemon(socketOf(values), 'selftest.probe', { network: values.network, name: values.name, expect }, 30_000) as ProbeResult;
      write(values, probe, formatProbe(probe));
      return probe.check.pass ? EXIT.ok : EXIT.failure;
    }
    if (typeof values.show === 'string') {
      const id = Number(values.show);
      if (!Number.isInteger(id) || id < 1) throw new UsageError(`--show takes a run number from selftest --history, not "${values.show}"`);
      if (values.network !== undefined || values.history) throw new UsageError('--show prints one whole run; it takes no --network or --history');
      const run = await callDaemon(socketOf(values), 'selftest.show', { id }) as SelftestRun;
      write(values, run, formatRun(run));
      return run.passed ? EXIT.ok : EXIT.failure;
    }
    if (values.history) {
      if (values.network !== undefined) throw new UsageError('--history shows every network; it takes no --network');
      const history = await callDaemon(socketOf(values), 'selftest.history', {}) as SelftestHistory;
      write(values, history, formatHistory(history));
      return EXIT.ok;
    }
    const params = typeof values.network === 'string' ? { network: values.network } : {};
    const onProgress = values.json ? undefined : (line: string): void => { process.stderr.write(`  ${line}\n`); };
    const run = await callDaemon(socketOf(values), 'selftest.run', params, RUN_TIMEOUT_MS, onProgress ? { onProgress } : {}) as SelftestRun;
    write(values, run, formatRun(run));
    return run.passed ? EXIT.ok : EXIT.failure;
  },
};
