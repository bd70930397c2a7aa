// The shapes the daemon, the switcher (`schoolgate upgrade apply`, as root) and the web UI share
// about upgrades: the request the daemon leaves for the switcher, the switcher's progress, and
// the history of every attempt.
import { Type, type Static } from 'typebox';
import { RELEASE_VERSION_PATTERN } from './manifest-schema.ts';

export const UpgradeRequest = Type.Object({
  version: Type.String({ pattern: RELEASE_VERSION_PATTERN }),
  /** The verified release file, in the data directory's upgrade/incoming/. */
  file: Type.String({ minLength: 1, maxLength: 4096 }),
  force: Type.Boolean(),
  by: Type.String({ maxLength: 200 }),
  at: Type.String({ maxLength: 40 }),
}, { additionalProperties: false });
export type UpgradeRequest = Static<typeof UpgradeRequest>;

export const UpgradeOutcome = Type.Union([
  Type.Literal('installed'), Type.Literal('rolled-back'), Type.Literal('refused'), Type.Literal('failed'),
]);
export type UpgradeOutcome = Static<typeof UpgradeOutcome>;

export const UpgradeHistoryEntry = Type.Object({
  id: Type.String({ maxLength: 64 }),
  at: Type.String(),
  by: Type.String(),
  from: Type.Optional(Type.String()),
  to: Type.String(),
  outcome: UpgradeOutcome,
  /** Why it was refused, failed or rolled back. */
  reason: Type.Optional(Type.String()),
  /** The health checks of the new release: "ok" or what failed. */
  checks: Type.Optional(Type.Object({ dns: Type.String(), control: Type.String(), web: Type.String() })),
  /** After a rollback: whether the previous release answered again. */
  restored: Type.Optional(Type.Boolean()),
});
export type UpgradeHistoryEntry = Static<typeof UpgradeHistoryEntry>;

export const UpgradeProgress = Type.Object({
  version: Type.String(),
  phase: Type.Union([
    Type.Literal('verifying'), Type.Literal('unpacking'), Type.Literal('restarting'), Type.Literal('health-check'),
    Type.Literal('settling'), Type.Literal('rolling-back'), Type.Literal('done'),
  ]),
  at: Type.String(),
});
export type UpgradeProgress = Static<typeof UpgradeProgress>;
