// The filter self-test's history in state.db: each run with every check it made per network, and
// the external tests (SWGfL's) recorded beside them, for the annual review. Never purged: nothing
// here is personal data (test names, expected and actual answers, the gateway's own addresses).
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { Id } from '../config/schema-common.ts';
import {
  AddExternalParams, type CheckResult, type ExternalTest, NetworkRate, NetworkRun, RunSummary, RunTrigger, SelftestRun,
} from '../monitor/selftest/selftest-schema.ts';
import { atomically, checkDay, checkValue, InvalidInputError, isoInstant } from './values.ts';

export interface NewRun {
  at: Date;
  trigger: RunTrigger;
  actor: string;
  networks: readonly NetworkRun[];
}

export interface NewExternalTest {
  at: Date;
  network: string;
  result: 'pass' | 'fail';
  note: string;
  recordedBy: string;
}

type Row = Record<string, SQLOutputValue>;

const flag = (value: boolean): number => (value ? 1 : 0);
const text = (value: SQLOutputValue | undefined): string | null => (value === null || value === undefined ? null : String(value));

export class SelftestRepository {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Stores a finished run with all its checks, in one transaction; returns it with its id. */
  record(run: NewRun): SelftestRun {
    const at = isoInstant(run.at, 'run time');
    const passed = run.networks.every((n) => n.passed);
    return atomically(this.#db, () => {
      const id = Number(this.#db.prepare('INSERT INTO selftest_runs (at, trigger, actor, passed) VALUES (?, ?, ?, ?) RETURNING id')
        .get(at, run.trigger, run.actor, flag(passed))?.id);
      const network = this.#db.prepare('INSERT INTO selftest_networks (run_id, network_id, policy_id, source, server, error, passed, untested) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const check = this.#db.prepare(`INSERT INTO selftest_checks (run_id, network_id, seq, kind, subject, name, category, critical, expected, rewrite, block_answer, got, pass, fail_open)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const n of run.networks) {
        network.run(id, n.network, n.policy, n.source, n.server, n.error, flag(n.passed), JSON.stringify(n.untested));
        n.checks.forEach((c, seq) => {
          check.run(id, n.network, seq, c.kind, c.subject, c.name, c.category ?? null, flag(c.critical), c.expected, c.rewrite ?? null,
            c.blockAnswer ?? null, c.got, flag(c.pass), flag(c.failOpen));
        });
      }
      return { id, at, trigger: run.trigger, actor: run.actor, passed, failOpen: run.networks.some((n) => n.checks.some((c) => c.failOpen)), networks: [...run.networks] };
    });
  }

  /** One run with every check, or undefined. */
  get(id: number): SelftestRun | undefined {
    const row = this.#db.prepare('SELECT id, at, trigger, actor, passed FROM selftest_runs WHERE id = ?').get(id);
    if (!row) return undefined;
    const checks = this.#db.prepare('SELECT * FROM selftest_checks WHERE run_id = ? ORDER BY network_id, seq').all(id).map(toCheck);
    const networks = this.#db.prepare('SELECT * FROM selftest_networks WHERE run_id = ? ORDER BY rowid').all(id).map((n): NetworkRun => ({
      network: String(n.network_id), policy: text(n.policy_id), source: text(n.source), server: text(n.server), error: text(n.error),
      passed: n.passed === 1, checks: checks.filter((c) => c.network === String(n.network_id)).map((c) => c.check),
      untested: JSON.parse(String(n.untested)) as NetworkRun['untested'],
    }));
    return {
      id: Number(row.id), at: String(row.at), trigger: String(row.trigger) as RunTrigger, actor: String(row.actor), passed: row.passed === 1,
      failOpen: networks.some((n) => n.checks.some((c) => c.failOpen)), networks,
    };
  }

  /** The newest runs first, each summarised. */
  runs(limit = 100): RunSummary[] {
    const rows = this.#db.prepare(`
      SELECT r.id, r.at, r.trigger, r.actor, r.passed,
        (SELECT count(*) FROM selftest_checks c WHERE c.run_id = r.id) AS checks,
        (SELECT count(*) FROM selftest_checks c WHERE c.run_id = r.id AND c.pass = 0) AS failed_checks,
        (SELECT count(*) FROM selftest_networks n WHERE n.run_id = r.id AND n.error IS NOT NULL) AS failed_networks,
        (SELECT count(*) FROM selftest_checks c WHERE c.run_id = r.id AND c.fail_open = 1) AS fail_opens,
        (SELECT json_group_array(network_id) FROM (SELECT network_id FROM selftest_networks n WHERE n.run_id = r.id ORDER BY n.rowid)) AS networks
      FROM selftest_runs r ORDER BY r.id DESC LIMIT ?`).all(Math.max(1, Math.min(limit, 10_000)));
    return rows.map((r) => ({
      id: Number(r.id), at: String(r.at), trigger: String(r.trigger) as RunTrigger, actor: String(r.actor), passed: r.passed === 1,
      checks: Number(r.checks), failed: Number(r.failed_checks) + Number(r.failed_networks), failOpens: Number(r.fail_opens),
      networks: JSON.parse(String(r.networks)) as string[],
    }));
  }

  /** Per network, over every run kept: how many runs and checks passed, and the last run. */
  rates(): NetworkRate[] {
    return this.#db.prepare(`
      SELECT n.network_id,
        count(*) AS runs, sum(n.passed) AS runs_passed,
        (SELECT count(*) FROM selftest_checks c WHERE c.network_id = n.network_id) AS checks,
        (SELECT count(*) FROM selftest_checks c WHERE c.network_id = n.network_id AND c.pass = 1) AS checks_passed,
        (SELECT count(*) FROM selftest_checks c WHERE c.network_id = n.network_id AND c.fail_open = 1) AS fail_opens,
        max(r.at) AS last_run,
        (SELECT n2.passed FROM selftest_networks n2 WHERE n2.network_id = n.network_id ORDER BY n2.run_id DESC LIMIT 1) AS last_passed
      FROM selftest_networks n JOIN selftest_runs r ON r.id = n.run_id
      GROUP BY n.network_id ORDER BY n.network_id`).all().map((r) => ({
      network: String(r.network_id), runs: Number(r.runs), runsPassed: Number(r.runs_passed), checks: Number(r.checks),
      checksPassed: Number(r.checks_passed), failOpens: Number(r.fail_opens), lastRun: text(r.last_run),
      lastPassed: r.last_passed === null ? null : r.last_passed === 1,
    }));
  }

  /**
   * Per network, over the runs in [from, to): how many ran and passed, and the last (the
   * governors' assurance summary: the last 30 days; the governor report: its span).
   */
  ratesBetween(from: Date, to: Date): Pick<NetworkRate, 'network' | 'runs' | 'runsPassed' | 'lastRun'>[] {
    return this.#db.prepare(`
      SELECT n.network_id, count(*) AS runs, sum(n.passed) AS runs_passed, max(r.at) AS last_run
      FROM selftest_networks n JOIN selftest_runs r ON r.id = n.run_id
      WHERE r.at >= ? AND r.at < ?
      GROUP BY n.network_id ORDER BY n.network_id`).all(isoInstant(from, 'from'), isoInstant(to, 'to')).map((r) => ({
      network: String(r.network_id), runs: Number(r.runs), runsPassed: Number(r.runs_passed), lastRun: text(r.last_run),
    }));
  }

  /** Records an external test's result (the SWGfL test), refusing bad input before writing. */
  recordExternal(test: NewExternalTest): ExternalTest {
    checkValue(Id, test.network, 'network id');
    const note = test.note.trim();
    if (note.length === 0 || note.length > 500) throw new InvalidInputError('the note must say which test and when, in 1 to 500 characters');
    if (test.result !== 'pass' && test.result !== 'fail') throw new InvalidInputError(`the result must be "pass" or "fail", not "${String(test.result)}"`);
    const at = isoInstant(test.at, 'record time');
    const row = this.#db.prepare('INSERT INTO selftest_external (at, network_id, result, note, recorded_by) VALUES (?, ?, ?, ?, ?) RETURNING id')
      .get(at, test.network, test.result, note, test.recordedBy);
    return { id: Number(row?.id), at, network: test.network, result: test.result, note, recordedBy: test.recordedBy };
  }

  /**
   * Records an external test in full (the day it ran, who ran it, the tool, a result per test
   * category, a reference), refusing bad input before writing; a correction is a new record.
   */
  addExternal(test: AddExternalParams, recordedBy: string, at: Date): ExternalTest {
    const cleaned = { ...test, tester: test.tester.trim(), tool: test.tool.trim(), note: test.note.trim(), ...(test.reference === undefined ? {} : { reference: test.reference.trim() }) };
    if (cleaned.reference === '') delete cleaned.reference;
    checkValue(AddExternalParams, cleaned, 'external test');
    checkDay(cleaned.testedOn, 'the day the test was run');
    if (cleaned.testedOn > isoInstant(at, 'record time').slice(0, 10)) throw new InvalidInputError(`the test cannot have been run on ${cleaned.testedOn}, after today`);
    const categories = cleaned.categories ?? {};
    const row = this.#db.prepare(`INSERT INTO selftest_external (at, network_id, result, note, recorded_by, tested_on, tester, tool, categories, reference)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`).get(isoInstant(at, 'record time'), cleaned.network, cleaned.result, cleaned.note, recordedBy,
      cleaned.testedOn, cleaned.tester, cleaned.tool, JSON.stringify(categories), cleaned.reference ?? null);
    return toExternal(row!);
  }

  /** External results, newest first. */
  external(limit = 100): ExternalTest[] {
    return this.#db.prepare('SELECT * FROM selftest_external ORDER BY id DESC LIMIT ?').all(Math.max(1, Math.min(limit, 10_000))).map(toExternal);
  }

  /** External results recorded (or, for a full record, run) from `from` to before `to`, oldest first. */
  externalBetween(from: Date, to: Date): ExternalTest[] {
    const start = isoInstant(from, 'from');
    const end = isoInstant(to, 'to');
    return this.#db.prepare(`SELECT * FROM selftest_external WHERE coalesce(tested_on || 'T12:00:00.000Z', at) >= ? AND coalesce(tested_on || 'T12:00:00.000Z', at) < ?
      ORDER BY coalesce(tested_on, at), id`).all(start, end).map(toExternal);
  }

  /** Run summaries from `from` to before `to`, oldest first (a year of daily runs is ~365). */
  runsBetween(from: Date, to: Date): RunSummary[] {
    const start = isoInstant(from, 'from');
    const end = isoInstant(to, 'to');
    return this.runs(10_000).filter((r) => r.at >= start && r.at < end).reverse();
  }
}

function toExternal(r: Row): ExternalTest {
  const categories = JSON.parse(String(r.categories ?? '{}')) as Record<string, 'pass' | 'fail'>;
  return {
    id: Number(r.id), at: String(r.at), network: String(r.network_id), result: String(r.result) as 'pass' | 'fail',
    note: String(r.note), recordedBy: String(r.recorded_by),
    ...(r.tested_on === null || r.tested_on === undefined ? {} : { testedOn: String(r.tested_on) }),
    ...(r.tester === null || r.tester === undefined ? {} : { tester: String(r.tester) }),
    ...(r.tool === null || r.tool === undefined ? {} : { tool: String(r.tool) }),
    ...(Object.keys(categories).length === 0 ? {} : { categories }),
    ...(r.reference === null || r.reference === undefined ? {} : { reference: String(r.reference) }),
  };
}

function toCheck(row: Row): { network: string; check: CheckResult } {
  return {
    network: String(row.network_id),
    check: {
      kind: String(row.kind) as CheckResult['kind'], subject: String(row.subject), name: String(row.name),
      ...(row.category === null ? {} : { category: String(row.category) }),
      critical: row.critical === 1, expected: String(row.expected) as CheckResult['expected'],
      ...(row.rewrite === null ? {} : { rewrite: String(row.rewrite) }),
      ...(row.block_answer === null ? {} : { blockAnswer: String(row.block_answer) as NonNullable<CheckResult['blockAnswer']> }),
      got: String(row.got), pass: row.pass === 1, failOpen: row.fail_open === 1,
    },
  };
}
