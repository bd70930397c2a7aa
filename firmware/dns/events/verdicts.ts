// The verdicts as plain data. events.ts builds the TypeBox schema from this list; the query log's
// writer thread reads packed batches with it and nothing else of events.ts, because loading
// TypeBox there (374 modules) cost that thread ~20 MB resident and a slower start.

/** What the gateway decided for one question, in the order the event buffer and batches number them. */
export const VERDICTS = [
  'forwarded',
  'cached',
  'stale',
  'blocked',
  'rewritten',
  'local',
  'refused',
  'rate-limited',
  'minimal-any',
  'formerr',
  'notimp',
  'badvers',
  'servfail',
] as const;
export type Verdict = (typeof VERDICTS)[number];

export const VERDICT_INDEX: ReadonlyMap<string, number> = new Map<string, number>(VERDICTS.map((v, i) => [v, i]));
