// `schoolgate selftest`: the filter self-test, run now through the daemon (real questions to its
// DNS listeners as a device on each network), its history for the annual review, and the
// external test's result (SWGfL's) recorded beside it.
import { callDaemon } from '../../control/client.ts';
import type { ExternalTest, ProbeResult, SelftestHistory, SelftestRun } from '../../monitor/selftest/selftest-schema.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatExternal, formatHistory, formatProbe, formatRun } from '../format-selftest.ts';

/** Each network's questions may wait for the upstreams; progress after each network resets this. */
const RUN_TIMEOUT_MS = 180_000;

async function recordExternal(values: OptionValues): Promise<number> {
  if (typeof values.network !== 'string') throw new UsageError('record-external needs --network (the network the external test was run from)');
  if (values.result !== 'pass' && values.result !== 'fail') throw new UsageError('record-external needs --result pass or --result fail');
  if (typeof values.note !== 'string' || values.note.trim() === '') throw new UsageError('record-external needs --note: which test and when, e.g. "SWGfL test 2026-12-01"');
  const recorded = await callDaemon(socketOf(values), 'selftest.record-external', { network: values.network, result: values.result, note: values.note.trim() }) as ExternalTest;
  printResult(values, recorded, formatExternal(recorded));
  return EXIT.ok;
}

/** "child-abuse=pass, terrorism=fail" → { "child-abuse": "pass", terrorism: "fail" }. */
export function parseCategories(text: string): Record<string, 'pass' | 'fail'> {
  const out: Record<string, 'pass' | 'fail'> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z0-9][a-z0-9-]{0,63})=(pass|fail)$/.exec(part);
    if (!m) throw new UsageError(`--categories takes CATEGORY=pass|fail, separated by commas (child-abuse=pass,terrorism=pass), not "${part}"`);
    out[m[1]!] = m[2] as 'pass' | 'fail';
  }
  return out;
}

async function addExternal(values: OptionValues): Promise<number> {
  const need = (key: string, what: string): string => {
    const value = values[key];
    if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`external add needs --${key}: ${what}`);
    return value.trim();
  };
  const network = need('network', 'the network the external test was run from');
  const testedOn = typeof values.date === 'string' ? values.date : new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(testedOn)) throw new UsageError(`--date takes the day the test was run, YYYY-MM-DD, not "${testedOn}"`);
  if (values.result !== 'pass' && values.result !== 'fail') throw new UsageError('external add needs --result pass or --result fail (the tool\'s overall result)');
  const params = {
    network, testedOn, tester: need('tester', 'who ran it, e.g. "Alex Tech, ICT Ltd"'), tool: typeof values.tool === 'string' && values.tool.trim() !== '' ? values.tool.trim() : 'SWGfL Test Filtering',
    result: values.result, note: need('note', 'what the test found, in a sentence'),
    ...(typeof values.categories === 'string' ? { categories: parseCategories(values.categories) } : {}),
    ...(typeof values.reference === 'string' && values.reference.trim() !== '' ? { reference: values.reference.trim() } : {}),
  };
  const recorded = await callDaemon(socketOf(values), 'selftest.external.add', params) as ExternalTest;
  printResult(values, recorded, formatExternal(recorded));
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
schoolgate selftest external add --network N --tester "NAME" --result pass|fail --note "TEXT"
    [--date YYYY-MM-DD] [--tool "SWGfL Test Filtering"] [--categories C=pass,C=fail] [--reference REF]

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
  external add      the same in full, for the annual review: the day it was run (default today),
                    who ran it, the tool (default SWGfL Test Filtering), the result overall and
                    per test category, the report's reference. Nothing recorded is ever changed:
                    a correction is a new record

${dataDirHelp}
  -n, --network N   only this network (run, record-external)
      --expect E    (--name) blocked or allowed
      --result R    (record-external) pass or fail
      --note TEXT   (record-external, external add) which test, when, by whom; what it found
      --date, --tester, --tool, --categories, --reference   (external add) as above
      --json        print the result as JSON`,
  options: {
    ...dataDirOption, network: { type: 'string', short: 'n' }, history: { type: 'boolean' }, json: { type: 'boolean' },
    result: { type: 'string' }, note: { type: 'string' }, date: { type: 'string' }, tester: { type: 'string' }, tool: { type: 'string' },
    categories: { type: 'string' }, reference: { type: 'string' }, name: { type: 'string' }, expect: { type: 'string' }, show: { type: 'string' },
  },
  async run(values, positionals) {
    const [action, ...extra] = positionals;
    if (action === 'external') {
      if (extra[0] !== 'add' || extra.length > 1) throw new UsageError('selftest external takes one action: add');
      return addExternal(values);
    }
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
      printResult(values, probe, formatProbe(probe));
      return probe.check.pass ? EXIT.ok : EXIT.failure;
    }
    if (typeof values.show === 'string') {
      const id = Number(values.show);
      if (!Number.isInteger(id) || id < 1) throw new UsageError(`--show takes a run number from selftest --history, not "${values.show}"`);
      if (values.network !== undefined || values.history) throw new UsageError('--show prints one whole run; it takes no --network or --history');
      const run = await callDaemon(socketOf(values), 'selftest.show', { id }) as SelftestRun;
      printResult(values, run, formatRun(run));
      return run.passed ? EXIT.ok : EXIT.failure;
    }
    if (values.history) {
      if (values.network !== undefined) throw new UsageError('--history shows every network; it takes no --network');
      const history = await callDaemon(socketOf(values), 'selftest.history', {}) as SelftestHistory;
      printResult(values, history, formatHistory(history));
      return EXIT.ok;
    }
    const params = typeof values.network === 'string' ? { network: values.network } : {};
    const onProgress = values.json ? undefined : (line: string): void => { process.stderr.write(`  ${line}\n`); };
    const run = await callDaemon(socketOf(values), 'selftest.run', params, RUN_TIMEOUT_MS, onProgress ? { onProgress } : {}) as SelftestRun;
    printResult(values, run, formatRun(run));
    return run.passed ? EXIT.ok : EXIT.failure;
  },
};
