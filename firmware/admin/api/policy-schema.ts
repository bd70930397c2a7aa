// The AUP table as the web UI shows and edits it: one table per policy, a row per category with
// the five dispositions of the schools' acceptable-use policies as columns. The UI imports these
// types only; the rules themselves are the configuration's CategoryRule, unchanged.
import { Type, type Static } from 'typebox';
import { CategoryRule, Disposition, Id, SafeSearch } from '../../config/schema.ts';
import { ChangeRequestFields } from '../../control/changes/change-schema.ts';
import { Severity } from '../../rules/catalogue.ts';

export const AupRow = Type.Object({
  category: Id,
  title: Type.String(),
  description: Type.String(),
  severity: Severity,
  rule: CategoryRule,
  /** Illegal content (a restricted list, or a category illegal on every network): always "unacceptable and illegal", never edited. */
  locked: Type.Boolean(),
}, { additionalProperties: false });
export type AupRow = Static<typeof AupRow>;

export const AupPolicy = Type.Object({
  id: Id,
  name: Type.String(),
  safeSearch: SafeSearch,
  /** The networks this policy applies to, by name, and the device groups that carry it. */
  networks: Type.Array(Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false })),
  groups: Type.Array(Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false })),
  rows: Type.Array(AupRow),
}, { additionalProperties: false });
export type AupPolicy = Static<typeof AupPolicy>;

export const AupTables = Type.Object({
  site: Type.String({ description: "the school's name, printed on the table" }),
  at: Type.String({ format: 'date-time', description: 'when this was read: the printed date' }),
  dispositions: Type.Array(Type.Object({ value: Disposition, label: Type.String() }, { additionalProperties: false })),
  schedules: Type.Array(Type.Object({ id: Id, name: Type.String(), summary: Type.String() }, { additionalProperties: false })),
  deviceGroups: Type.Array(Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false })),
  policies: Type.Array(AupPolicy),
  /** Whether the signed-in account may save (policy.edit): the server refuses otherwise anyway. */
  editable: Type.Boolean(),
}, { additionalProperties: false });
export type AupTables = Static<typeof AupTables>;

/**
 * PUT /api/policies/:id: every category's rule of one policy, all or nothing, with why. A change to
 * what is filtered is not saved: it becomes a change request that two approvers decide.
 */
export const AupEditBody = Type.Object({
  categories: Type.Record(Id, CategoryRule, { additionalProperties: false }),
  rationale: ChangeRequestFields.properties.rationale,
  riskNote: ChangeRequestFields.properties.riskNote,
}, { additionalProperties: false });
export type AupEditBody = Static<typeof AupEditBody>;

export const AupEditResult = Type.Object({
  /** The policy as it stands: unchanged until the request is approved and applied. */
  policy: AupPolicy,
  /** Categories whose rule the request would change, for the confirmation. */
  changed: Type.Array(Id),
  /** The change request it became; null when nothing differed (nothing is asked for). */
  request: Type.Union([Type.Object({
    id: Type.Integer({ minimum: 1 }),
    summary: Type.Array(Type.String(), { description: 'what it would change, a line each' }),
  }, { additionalProperties: false }), Type.Null()]),
}, { additionalProperties: false });
export type AupEditResult = Static<typeof AupEditResult>;
