// A failed self-test as alerts: one per network that failed, so the DSL reads which network lets
// what through. Critical when the network lets through (or lost the list for) a critical
// category or a restricted list: illegal content reachable is the concern the policies put first.
import type { AlertCandidate } from '../alerts/alert-schema.ts';
import type { CheckResult, NetworkRun, SelftestRun } from './selftest-schema.ts';

const SUBJECT_MAX = 300;

const describe = (c: CheckResult): string => `${c.subject} (${c.name}): expected ${c.expected}, got ${c.got}`;

/** Whether a failed check means content the policy blocks for a critical reason may be reachable. */
function criticalFailure(c: CheckResult): boolean {
  return !c.pass && c.critical && (c.failOpen || c.kind === 'list');
}

export function selftestAlerts(run: SelftestRun): AlertCandidate[] {
  return run.networks.filter((n) => !n.passed).map((n) => networkAlert(run, n));
}

function networkAlert(run: SelftestRun, network: NetworkRun): AlertCandidate {
  const failed = network.checks.filter((c) => !c.pass);
  const failOpens = failed.filter((c) => c.failOpen);
  const critical = failed.some(criticalFailure);
  const first = failOpens[0] ?? failed[0];
  let subject = network.error !== null
    ? `self-test could not run on ${network.network}: ${network.error}`
    : `${failed.length} of ${network.checks.length} self-test checks failed on ${network.network}${failOpens.length > 0 ? `, ${failOpens.length} letting through what the policy blocks` : ''}${first ? `; first: ${describe(first)}` : ''}`;
  if (subject.length > SUBJECT_MAX) subject = `${subject.slice(0, SUBJECT_MAX - 1)}…`;
  const reason = failOpens.length > 0
    ? 'The daily filter self-test asked the gateway, as a device on this network, for names its policy blocks, and got answers from the internet: devices on this network can reach them.'
    : 'The daily filter self-test found the gateway answering differently from its policy on this network (or could not ask it): filtering may not be working as the school believes.';
  return {
    kind: 'system.selftest-failed',
    severity: critical ? 'critical' : 'high',
    at: run.at,
    networkId: network.network,
    mac: null,
    address: network.source,
    subject,
    reason,
    ...(first?.category !== undefined ? { category: first.category } : {}),
    details: {
      run: run.id,
      failed: failed.map((c) => ({ subject: c.subject, name: c.name, expected: c.expected, got: c.got, failOpen: c.failOpen })),
      ...(network.error !== null ? { error: network.error } : {}),
    },
  };
}
