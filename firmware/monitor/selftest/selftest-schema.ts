// The filter self-test's shapes: a planned check, what came back, a run per network, the history
// and an external test's result. The control methods, the CLI's --json output and state.db's rows
// all use these, so the annual review reads the same fields the technician saw.
import { Type, type Static } from 'typebox';
import { Id } from '../../config/schema-common.ts';

export const CheckKind = Type.Union([
  Type.Literal('category'),    // the category's test name (the catalogue's, or a list's own)
  Type.Literal('list'),        // a configured list's testName (restricted lists included)
  Type.Literal('safe-search'), // a search engine's name, answered as its safe host
  Type.Literal('canary'),      // a name that switches DNS away from the gateway: NXDOMAIN everywhere
  Type.Literal('doh'),         // a browser's built-in DNS-over-HTTPS resolver
  Type.Literal('name'),        // a name a person asked about, against the answer they expect
], { description: 'what the check is about' });
export type CheckKind = Static<typeof CheckKind>;

export const ExpectedAnswer = Type.Union([
  Type.Literal('allowed'), Type.Literal('blocked'), Type.Literal('rewritten'), Type.Literal('canary'), Type.Literal('local'),
], { description: 'what the policy in force says a device on the network gets (schoolgate check\'s answer)' });
export type ExpectedAnswer = Static<typeof ExpectedAnswer>;

export const BlockAnswerMode = Type.Union([Type.Literal('block-page'), Type.Literal('nxdomain'), Type.Literal('null-address')]);
export type BlockAnswerMode = Static<typeof BlockAnswerMode>;

export const PlannedCheck = Type.Object({
  kind: CheckKind,
  /** What the check is called in the table: the category, the list, the engine or the vendor. */
  subject: Type.String({ minLength: 1, maxLength: 120 }),
  name: Type.String({ minLength: 1, maxLength: 253, description: 'the name asked (type A)' }),
  category: Type.Optional(Type.String({ maxLength: 64 })),
  critical: Type.Boolean({ description: 'a fail-open here is a critical alert (a critical category, or a restricted list)' }),
  expected: ExpectedAnswer,
  rewrite: Type.Optional(Type.String({ description: 'the safe host, when expected is rewritten' })),
  blockAnswer: Type.Optional(BlockAnswerMode),
}, { additionalProperties: false });
export type PlannedCheck = Static<typeof PlannedCheck>;

export const Untested = Type.Object({
  subject: Type.String({ maxLength: 120 }),
  reason: Type.String({ maxLength: 300 }),
}, { additionalProperties: false, description: 'a category no check could be planned for, and why (reported, not a failure)' });
export type Untested = Static<typeof Untested>;

export const CheckResult = Type.Object({
  ...PlannedCheck.properties,
  got: Type.String({ maxLength: 300, description: 'what came back, in words: the block page, an address, NXDOMAIN, a CNAME, no reply' }),
  pass: Type.Boolean(),
  failOpen: Type.Boolean({ description: 'the policy blocks (or rewrites, or answers NXDOMAIN for) the name, but the gateway passed on an answer from the internet: the worst result' }),
}, { additionalProperties: false });
export type CheckResult = Static<typeof CheckResult>;

export const NetworkRun = Type.Object({
  network: Id,
  policy: Type.Union([Type.String(), Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()], { description: 'the address the questions came from: the gateway\'s own on that network' }),
  server: Type.Union([Type.String(), Type.Null()], { description: 'the listener asked, address:port' }),
  error: Type.Union([Type.String({ maxLength: 500 }), Type.Null()], { description: 'why the network could not be tested at all (a failure)' }),
  passed: Type.Boolean(),
  checks: Type.Array(CheckResult),
  untested: Type.Array(Untested),
}, { additionalProperties: false });
export type NetworkRun = Static<typeof NetworkRun>;

export const RunTrigger = Type.Union([Type.Literal('scheduled'), Type.Literal('on-demand')]);
export type RunTrigger = Static<typeof RunTrigger>;

export const SelftestRun = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  at: Type.String({ description: 'when the run started (UTC, ISO-8601)' }),
  trigger: RunTrigger,
  actor: Type.String({ description: '"system" for the daily run, else the SSH user who asked' }),
  passed: Type.Boolean(),
  failOpen: Type.Boolean(),
  networks: Type.Array(NetworkRun),
}, { additionalProperties: false });
export type SelftestRun = Static<typeof SelftestRun>;

export const SelftestParams = Type.Object({
  network: Type.Optional(Id),
}, { additionalProperties: false });
export type SelftestParams = Static<typeof SelftestParams>;

export const ProbeParams = Type.Object({
  network: Id,
  name: Type.String({ minLength: 1, maxLength: 253 }),
  expect: Type.Union([Type.Literal('blocked'), Type.Literal('allowed')], { description: 'what the person testing expects a device on the network to get' }),
}, { additionalProperties: false });
export type ProbeParams = Static<typeof ProbeParams>;

export const ProbeResult = Type.Object({
  network: Id,
  source: Type.String(),
  server: Type.String(),
  check: CheckResult,
  policy: ExpectedAnswer,
  summary: Type.String({ description: 'schoolgate check\'s account of what the policy says and why' }),
}, { additionalProperties: false, description: 'one name asked as a device on the network would, judged against the expectation given; not kept in the history' });
export type ProbeResult = Static<typeof ProbeResult>;

/** A calendar day, YYYY-MM-DD (checked as a real date by the store). */
export const DAY_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

export const ExternalResult = Type.Union([Type.Literal('pass'), Type.Literal('fail')]);

export const ExternalTest = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  at: Type.String({ description: 'when it was recorded (UTC)' }),
  network: Id,
  result: ExternalResult,
  note: Type.String({ minLength: 1, maxLength: 500, description: 'which test, when it was run, who ran it: e.g. "SWGfL test 2026-12-01"' }),
  recordedBy: Type.String(),
  // Recorded in full since migration 16 (`selftest external add`); absent on older rows.
  testedOn: Type.Optional(Type.String({ pattern: DAY_PATTERN, description: 'the day the external test was run (YYYY-MM-DD)' })),
  tester: Type.Optional(Type.String({ minLength: 1, maxLength: 120, description: 'who ran it: a name, and their organisation' })),
  tool: Type.Optional(Type.String({ minLength: 1, maxLength: 120, description: 'e.g. "SWGfL Test Filtering"' })),
  categories: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }), ExternalResult, { additionalProperties: false, description: 'the tool\'s own result per test category, e.g. {"child-abuse": "pass"}' })),
  reference: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the report\'s reference or link, as text' })),
}, { additionalProperties: false });
export type ExternalTest = Static<typeof ExternalTest>;

export const AddExternalParams = Type.Object({
  network: Id,
  testedOn: Type.String({ pattern: DAY_PATTERN, description: 'the day the test was run (YYYY-MM-DD)' }),
  tester: Type.String({ minLength: 1, maxLength: 120 }),
  tool: Type.String({ minLength: 1, maxLength: 120 }),
  result: ExternalResult,
  categories: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }), ExternalResult, { additionalProperties: false, maxProperties: 40 })),
  note: Type.String({ minLength: 1, maxLength: 500 }),
  reference: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
}, { additionalProperties: false, description: 'an external filter test in full: when, who, with what, its result overall and per category' });
export type AddExternalParams = Static<typeof AddExternalParams>;

export const RecordExternalParams = Type.Object({
  network: Id,
  result: ExternalResult,
  note: Type.String({ minLength: 1, maxLength: 500 }),
}, { additionalProperties: false });
export type RecordExternalParams = Static<typeof RecordExternalParams>;

export const NetworkRate = Type.Object({
  network: Id,
  runs: Type.Integer({ minimum: 0 }),
  runsPassed: Type.Integer({ minimum: 0 }),
  checks: Type.Integer({ minimum: 0 }),
  checksPassed: Type.Integer({ minimum: 0 }),
  failOpens: Type.Integer({ minimum: 0 }),
  lastRun: Type.Union([Type.String(), Type.Null()]),
  lastPassed: Type.Union([Type.Boolean(), Type.Null()]),
}, { additionalProperties: false });
export type NetworkRate = Static<typeof NetworkRate>;

export const RunSummary = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  at: Type.String(),
  trigger: RunTrigger,
  actor: Type.String(),
  passed: Type.Boolean(),
  checks: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  failOpens: Type.Integer({ minimum: 0 }),
  networks: Type.Array(Id),
}, { additionalProperties: false });
export type RunSummary = Static<typeof RunSummary>;

export const SelftestHistory = Type.Object({
  runs: Type.Array(RunSummary, { description: 'newest first' }),
  rates: Type.Array(NetworkRate),
  external: Type.Array(ExternalTest, { description: 'newest first' }),
}, { additionalProperties: false });
export type SelftestHistory = Static<typeof SelftestHistory>;

export const ShowParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export type ShowParams = Static<typeof ShowParams>;

export const HistoryParams = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
}, { additionalProperties: false });
export type HistoryParams = Static<typeof HistoryParams>;
