// The filter self-test as the daemon runs it: once a day before school (and whenever a technician
// asks), for each enabled network, plan the checks from the policy in force, ask the gateway's
// own DNS listener as a device on that network would, judge each answer, record the run in
// state.db and raise an alert for each network that failed. Runs never overlap: a second request
// waits for the first, so two runs never share a source address's rate limit.
import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from '../../config/schema.ts';
import type { FilterState } from '../../dns/policy/filter-state.ts';
import type { Logger } from '../../log.ts';
import type { SelftestRepository } from '../../state/selftest.ts';
import type { AlertCandidate } from '../alerts/alert-schema.ts';
import { selftestAlerts } from './alert.ts';
import { judge } from './judge.ts';
import { planSelftest, type CategoryTest, type NetworkPlan } from './plan.ts';
import { askEach, DEFAULT_PROBE_TIMEOUT_MS } from './probe.ts';
import { routeFor } from './route.ts';
import { checkName } from '../../dns/policy/check-name.ts';
import { normaliseListedName } from '../../rules/formats/domain-name.ts';
import { networksToTest } from './plan.ts';
import type { BlockAnswerMode, NetworkRun, ProbeParams, ProbeResult, RunTrigger, SelftestRun } from './selftest-schema.ts';

/** 07:15 in the school's time zone: before pupils arrive, so a failure reaches the DSL first. */
export const DAILY_SELFTEST = '15 7 * * *';

export interface SelftestServiceOptions {
  config: () => Readonly<Config>;
  /** The DNS service's lists and policy in force (DnsService.filter). */
  filter: () => FilterState;
  /** The shipped catalogue's categories: severity and test name, most severe first. */
  categories: ReadonlyMap<string, CategoryTest>;
  store: SelftestRepository;
  logger: Logger;
  /** Hands a failed run's alerts to the alert service. */
  raise?: ((candidate: AlertCandidate) => void) | undefined;
  now?: () => Date;
  /** A cron expression in the site's time zone (default DAILY_SELFTEST). */
  schedule?: string;
  /** How long one question may wait for its reply (default 5 s: a forwarded name may wait for the upstreams). */
  timeoutMs?: number;
}

export interface RunRequest {
  trigger: RunTrigger;
  actor: string;
  network?: string | undefined;
  /** Told as each network is done (the control socket's progress lines). */
  progress?: (line: string) => void;
}

export class SelftestService {
  readonly #o: SelftestServiceOptions;
  readonly #now: () => Date;
  #queue: Promise<unknown> = Promise.resolve();
  #task: ScheduledTask | undefined;

  constructor(options: SelftestServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Schedules the daily run in the site's time zone. */
  start(): void {
    const timezone = this.#o.config().site.timezone;
    this.#task = cron.schedule(this.#o.schedule ?? DAILY_SELFTEST, () => {
      this.run({ trigger: 'scheduled', actor: 'system' }).catch((err: Error) => this.#o.logger.error({ err }, 'the scheduled filter self-test failed to run'));
    }, { timezone, name: 'selftest', noOverlap: true });
  }

  /** Stops the schedule and waits for a run in progress to be recorded. */
  async stop(): Promise<void> {
    await this.#task?.stop();
    this.#task = undefined;
    await this.#queue.catch(() => undefined);
  }

  /** Runs now (after any run in progress), records the run and raises its alerts. */
  run(request: RunRequest): Promise<SelftestRun> {
    const next = this.#queue.catch(() => undefined).then(() => this.#runNow(request));
    this.#queue = next;
    return next;
  }

  /**
   * Asks one name a person names (a site from the news, the provider's test page) as a device on
   * the network would, judged against the answer they expect; the policy's own answer is beside it,
   * so a wrong expectation shows as one. Not kept: the history is of the planned checks, and a name
   * a head tests may be one nobody should find in a table kept for years.
   */
  async probe(params: ProbeParams): Promise<ProbeResult> {
    const config = this.#o.config();
    const [network] = networksToTest(config, params.network);
    const normalised = normaliseListedName(params.name);
    if ('error' in normalised) throw new Error(normalised.error);
    const route = routeFor(config, network!);
    if ('error' in route) throw new Error(`network ${params.network} cannot be tested: ${route.error}`);
    const report = checkName(config, this.#o.filter(), { name: normalised.name, networkId: network!.id, at: this.#now().getTime() });
    const policy = config.policies.find((p) => p.id === network!.policy);
    const blockAnswer = (policy?.blockAnswer ?? 'nxdomain') as BlockAnswerMode;
    const [outcome] = await askEach(route, [normalised.name], this.#o.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
    const check = judge({
      kind: 'name', subject: 'asked by hand', name: normalised.name, critical: false, expected: params.expect,
      ...(params.expect === 'blocked' ? { blockAnswer } : {}),
    }, outcome!, { blockPage: network!.gateway.ipv4, blockAnswer });
    return { network: network!.id, source: route.source, server: `${route.server.address}:${route.server.port}`, check, policy: report.answer, summary: report.summary };
  }

  async #runNow(request: RunRequest): Promise<SelftestRun> {
    const at = this.#now();
    const config = this.#o.config();
    const plans = planSelftest({ config, filter: this.#o.filter(), categories: this.#o.categories, at: at.getTime(), network: request.network });
    const networks: NetworkRun[] = [];
    for (const plan of plans) {
      const result = await this.#runNetwork(config, plan, at.getTime());
      networks.push(result);
      const failed = result.checks.filter((c) => !c.pass).length;
      request.progress?.(`${result.network}: ${result.error ?? `${result.checks.length - failed} of ${result.checks.length} checks passed`}`);
    }
    const run = this.#o.store.record({ at, trigger: request.trigger, actor: request.actor, networks });
    const log = { run: run.id, trigger: run.trigger, networks: networks.map((n) => `${n.network}:${n.passed ? 'pass' : 'FAIL'}`) };
    if (run.passed) this.#o.logger.info(log, 'filter self-test passed');
    else this.#o.logger.error({ ...log, failOpen: run.failOpen }, 'filter self-test FAILED');
    if (!run.passed && this.#o.raise) {
      for (const candidate of selftestAlerts(run)) {
        try {
          this.#o.raise(candidate);
        } catch (err) {
          this.#o.logger.error({ err }, 'the self-test alert could not be raised');
        }
      }
    }
    return run;
  }

  /**
   * Asks one network's questions. If the policy's masks or the lists changed while they were
   * asked (a schedule window opened, a reload), the plan is made again and asked once more, so a
   * check is never judged against an expectation from before the change.
   */
  async #runNetwork(config: Readonly<Config>, plan: NetworkPlan, at: number): Promise<NetworkRun> {
    const network = plan.network;
    const base = { network: network.id, policy: plan.policy, untested: plan.untested };
    const route = routeFor(config, network);
    if ('error' in route) return { ...base, source: null, server: null, error: route.error, passed: false, checks: [] };
    const policy = config.policies.find((p) => p.id === plan.policy);
    const context = { blockPage: network.gateway.ipv4, blockAnswer: (policy?.blockAnswer ?? 'nxdomain') as BlockAnswerMode };
    let current = plan;
    for (let attempt = 0; ; attempt++) {
      const filter = this.#o.filter();
      const validUntil = filter.engine.staleAt(at);
      const outcomes = await askEach(route, current.checks.map((c) => c.name), this.#o.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
      const changed = this.#o.filter() !== filter || this.#now().getTime() >= validUntil;
      if (changed && attempt === 0) {
        at = this.#now().getTime();
        current = planSelftest({ config: this.#o.config(), filter: this.#o.filter(), categories: this.#o.categories, at, network: network.id })[0] ?? current;
        continue;
      }
      const checks = [...current.failed, ...current.checks.map((check, i) => judge(check, outcomes[i]!, context))];
      return {
        ...base, untested: current.untested, source: route.source, server: `${route.server.address}:${route.server.port}`, error: null,
        passed: checks.every((c) => c.pass), checks,
      };
    }
  }
}
