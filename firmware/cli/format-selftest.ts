// `schoolgate selftest` for a person: a table per network (check, name, expected, got, pass or
// FAIL), fail-opens called out first, then the history's pass rates and the external tests.
import type { ExternalTest, NetworkRun, ProbeResult, SelftestHistory, SelftestRun } from '../monitor/selftest/selftest-schema.ts';
import { table } from './table.ts';

const expectedText = (c: NetworkRun['checks'][number]): string =>
  c.expected === 'rewritten' ? `safe: ${c.rewrite}` : c.expected === 'canary' ? 'NXDOMAIN' : c.expected;

function formatNetwork(n: NetworkRun): string {
  const failed = n.checks.filter((c) => !c.pass).length;
  const head = `${n.network} (policy ${n.policy ?? 'none'}${n.source ? `, asked from ${n.source} to ${n.server}` : ''}): `
    + (n.error !== null ? `FAIL, not tested: ${n.error}` : `${n.passed ? 'PASS' : 'FAIL'}, ${n.checks.length - failed} of ${n.checks.length} checks passed`);
  const lines = [head];
  if (n.checks.length > 0) {
    lines.push(table([
      ['check', 'name', 'expected', 'got', 'result'],
      ...n.checks.map((c) => [`${c.kind} ${c.subject}`, c.name, expectedText(c), c.got, c.pass ? 'pass' : c.failOpen ? 'FAIL (fail-open)' : 'FAIL']),
    ]));
  }
  // Eight categories ship no list, each for the same reason: one line per reason, not per category.
  const byReason = new Map<string, string[]>();
  for (const u of n.untested) byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), u.subject]);
  for (const [reason, subjects] of byReason) lines.push(`  not tested: ${subjects.join(', ')}: ${reason}`);
  return lines.join('\n');
}

export function formatRun(run: SelftestRun): string {
  const out: string[] = [];
  const failOpens = run.networks.flatMap((n) => n.checks.filter((c) => c.failOpen).map((c) => `${n.network}: ${c.subject} (${c.name}) expected ${expectedText(c)}, got ${c.got}`));
  if (failOpens.length > 0) out.push('FAIL-OPEN: the gateway passed on the internet\'s answer for names its policy blocks:', ...failOpens.map((l) => `  ${l}`), '');
  for (const n of run.networks) out.push(formatNetwork(n), '');
  out.push(`Self-test run ${run.id} at ${run.at} (${run.trigger}, ${run.actor}): ${run.passed ? 'every network passed' : 'FAILED'}. Kept in the history for the annual review.`);
  return `${out.join('\n')}\n`;
}

export function formatProbe(p: ProbeResult): string {
  const c = p.check;
  return [
    `${c.name} on ${p.network} (asked from ${p.source} to ${p.server}): ${c.pass ? 'PASS' : c.failOpen ? 'FAIL (fail-open: answered from the internet)' : 'FAIL'}`,
    `  expected  ${c.expected}`,
    `  got       ${c.got}`,
    `  policy    ${p.policy}: ${p.summary}`,
    '',
  ].join('\n');
}

const percent = (part: number, whole: number): string => (whole === 0 ? '-' : `${Math.floor((part / whole) * 1000) / 10}%`);

export function formatExternal(e: ExternalTest): string {
  const full = e.tool ? ` ${e.tool} on ${e.testedOn ?? '?'} by ${e.tester ?? '?'}${e.categories ? ` [${categoriesText(e)}]` : ''}${e.reference ? `, ref ${e.reference}` : ''};` : '';
  return `External test recorded for ${e.network}: ${e.result} ("${e.note}"),${full} recorded by ${e.recordedBy} at ${e.at}; in the audit log and the self-test history.\n`;
}

const categoriesText = (e: ExternalTest): string => Object.entries(e.categories ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');

export function formatHistory(h: SelftestHistory): string {
  const out: string[] = [];
  if (h.rates.length === 0) out.push('No self-test has run yet: schoolgate selftest runs one now; the daemon runs one every day at 07:15.');
  else {
    out.push('Pass rates per network (every run kept):', table([
      ['network', 'runs passed', 'checks passed', 'fail-opens', 'last run'],
      ...h.rates.map((r) => [r.network, `${r.runsPassed}/${r.runs} (${percent(r.runsPassed, r.runs)})`, `${r.checksPassed}/${r.checks} (${percent(r.checksPassed, r.checks)})`,
        String(r.failOpens), r.lastRun === null ? '-' : `${r.lastRun} ${r.lastPassed ? 'pass' : 'FAIL'}`]),
    ]));
  }
  if (h.runs.length > 0) {
    out.push('', 'Recent runs, newest first:', table([
      ['run', 'at', 'trigger', 'by', 'networks', 'checks', 'failed', 'result'],
      ...h.runs.map((r) => [String(r.id), r.at, r.trigger, r.actor, r.networks.join(','), String(r.checks), String(r.failed),
        r.passed ? 'pass' : r.failOpens > 0 ? `FAIL (${r.failOpens} fail-open)` : 'FAIL']),
    ]));
  }
  out.push('', h.external.length === 0 ? 'External tests: none recorded (schoolgate selftest external add …).' : 'External tests, newest first:');
  if (h.external.length > 0) {
    out.push(table([['tested', 'network', 'tool', 'tester', 'result', 'note', 'reference', 'recorded by'], ...h.external.map((e) => [
      e.testedOn ?? e.at, e.network, e.tool ?? '-', e.tester ?? '-', e.categories ? `${e.result} (${categoriesText(e)})` : e.result, e.note, e.reference ?? '-', e.recordedBy,
    ])]));
  }
  return `${out.join('\n')}\n`;
}
