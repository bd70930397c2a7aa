// The `release` part of `schoolgate status` (CLI, control socket, /api/status, the health page):
// what firmware runs, from where, since when, and how the last upgrade went.
import { Type, type Static } from 'typebox';
import { UpgradeHistoryEntry } from './upgrade-schema.ts';

export const ReleaseStatus = Type.Object({
  version: Type.String(),
  arch: Type.String(),
  installed: Type.Boolean({ description: 'run from an installed release (ROOT/releases/VERSION); false: a development checkout' }),
  path: Type.String({ description: 'the folder the running firmware is in' }),
  installedAt: Type.Union([Type.String(), Type.Null()], { description: 'when this release was switched to (its upgrade), else when its folder was made; null for a checkout' }),
  lastUpgrade: Type.Union([UpgradeHistoryEntry, Type.Null()], { description: 'the newest upgrade attempt: from, to, outcome and why' }),
}, { additionalProperties: false });
export type ReleaseStatus = Static<typeof ReleaseStatus>;
