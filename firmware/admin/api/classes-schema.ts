// The class view's API: what "Your classes" loads and sends (the control methods' own shapes,
// firmware/classes/class-schema.ts, the class's id being in the path), the head's limits on the
// Acceptable use page (a filtering change: sent as a change request) and the teachers of each
// class on the Networks page (not a filtering change: saved at once). The UI imports types only.
import { Type, type Static } from 'typebox';
import { ClassEndUnlockParams, ClassLiveParams, ClassUnlockParams } from '../../classes/class-schema.ts';
import { Id } from '../../config/schema-common.ts';
import { ClassTeachers, UnlockLimit } from '../../config/classes-schema.ts';
import { ChangeRequestFields } from '../../control/changes/change-schema.ts';
import { ClassListView } from '../../classes/class-schema.ts';
import { ActorNames } from './actor-names-schema.ts';

export { ClassListView, ClassLive, LIVE_MINUTES_MAX, UnlockView } from '../../classes/class-schema.ts';
export type { ClassLookup, ClassView } from '../../classes/class-schema.ts';

/** GET /api/classes: the caller's classes, with the display names of their teachers and of who made each unlock. */
export const ClassListPage = Type.Object({
  ...ClassListView.properties,
  names: ActorNames,
}, { additionalProperties: false });
export type ClassListPage = Static<typeof ClassListPage>;

export const ClassGroupPath = Type.Object({ group: ClassLiveParams.properties.group }, { additionalProperties: false });
export type ClassGroupPath = Static<typeof ClassGroupPath>;
export const ClassLiveQuery = Type.Object({ minutes: ClassLiveParams.properties.minutes }, { additionalProperties: false });
export type ClassLiveQuery = Static<typeof ClassLiveQuery>;

/** POST /api/classes/:group/unlock: the unlock form's fields. */
export const ClassUnlockBody = Type.Object({
  category: ClassUnlockParams.properties.category,
  minutes: ClassUnlockParams.properties.minutes,
  reason: ClassUnlockParams.properties.reason,
}, { additionalProperties: false });
export type ClassUnlockBody = Static<typeof ClassUnlockBody>;

export const UnlockIdPath = ClassEndUnlockParams;
export type UnlockIdPath = Static<typeof UnlockIdPath>;
export const UnlockEnded = Type.Object({ ended: Type.Literal(true) }, { additionalProperties: false });
export type UnlockEnded = Static<typeof UnlockEnded>;

const Named = Type.Object({ id: Id, name: Type.String() }, { additionalProperties: false });

/** One of the head's limits as the Acceptable use page lists it. */
export const ClassLimitRow = Type.Object({
  category: Id,
  title: Type.String({ description: "the catalogue's title for the category" }),
  groups: Type.Union([Type.Array(Named), Type.Null()], { description: 'the classes it is for; null: every class' }),
  maxMinutes: Type.Integer(),
}, { additionalProperties: false });
export type ClassLimitRow = Static<typeof ClassLimitRow>;

/** GET /api/class-limits: the limits in force and what the edit form offers. */
export const ClassLimitsView = Type.Object({
  limits: Type.Array(ClassLimitRow),
  /** The categories a limit may name: never illegal content (a restricted list, or unacceptable and illegal in a policy). */
  categories: Type.Array(Type.Object({ id: Id, title: Type.String() }, { additionalProperties: false })),
  /** The device groups, the classes a limit may be for. */
  groups: Type.Array(Named),
  /** Whether the account may ask for a change to them (changes.request): the server refuses otherwise anyway. */
  editable: Type.Boolean(),
}, { additionalProperties: false });
export type ClassLimitsView = Static<typeof ClassLimitsView>;

/** PUT /api/class-limits: every limit, in order, all or nothing, with why: it becomes a change request. */
export const ClassLimitsBody = Type.Object({
  unlocks: Type.Array(UnlockLimit, { maxItems: 64 }),
  rationale: ChangeRequestFields.properties.rationale,
  riskNote: ChangeRequestFields.properties.riskNote,
}, { additionalProperties: false });
export type ClassLimitsBody = Static<typeof ClassLimitsBody>;

export const ClassLimitsResult = Type.Object({
  /** The limits as they stand: unchanged until the request is approved and applied. */
  view: ClassLimitsView,
  request: Type.Union([Type.Object({
    id: Type.Integer({ minimum: 1 }),
    summary: Type.Array(Type.String(), { description: 'what it would change, a line each' }),
  }, { additionalProperties: false }), Type.Null()], { description: 'null when nothing differed: nothing is asked for' }),
}, { additionalProperties: false });
export type ClassLimitsResult = Static<typeof ClassLimitsResult>;

/** PUT /api/class-teachers: who teaches each class (a class with no one is left out). */
export const ClassTeachersBody = Type.Object({
  teachers: Type.Array(ClassTeachers, { maxItems: 256 }),
}, { additionalProperties: false });
export type ClassTeachersBody = Static<typeof ClassTeachersBody>;
