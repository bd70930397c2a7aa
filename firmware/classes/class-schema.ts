// The class view's shapes: what a teacher's page and `schoolgate classes` show and send. One file,
// so the control methods, the API and the pages name the same fields; the web UI imports types only.
import { Type, type Static } from 'typebox';
import { Id } from '../config/schema-common.ts';
import { IsoTimestamp } from '../state/schemas.ts';

export const LIVE_MINUTES_MAX = 180;

/** An unlock in force (or ended), as the page lists it. */
export const UnlockView = Type.Object({
  id: Type.String(),
  group: Type.String(),
  category: Type.String(),
  categoryTitle: Type.String(),
  from: IsoTimestamp,
  until: IsoTimestamp,
  by: Type.String(),
  reason: Type.String(),
}, { additionalProperties: false });
export type UnlockView = Static<typeof UnlockView>;

/** One class the caller may watch: its name, who teaches it, what may be unlocked for it now. */
export const ClassView = Type.Object({
  group: Type.String(),
  name: Type.String(),
  teachers: Type.Array(Type.String(), { description: 'usernames' }),
  devices: Type.Integer({ minimum: 0 }),
  mayUnlock: Type.Boolean({ description: 'the caller teaches it (or is the head): they may unlock within the limits' }),
  unlockable: Type.Array(Type.Object({ category: Type.String(), title: Type.String(), maxMinutes: Type.Integer() }), { description: "the head's limits for this class" }),
  unlocks: Type.Array(UnlockView, { description: 'in force now' }),
}, { additionalProperties: false });
export type ClassView = Static<typeof ClassView>;

export const ClassListView = Type.Object({ classes: Type.Array(ClassView) }, { additionalProperties: false });
export type ClassListView = Static<typeof ClassListView>;

export const ClassLiveParams = Type.Object({
  group: Id,
  minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: LIVE_MINUTES_MAX, description: 'how far back (default 60: a lesson)' })),
}, { additionalProperties: false });
export type ClassLiveParams = Static<typeof ClassLiveParams>;

/** One DNS question from a class device. A name on a restricted list is never shown: `name` is null and `restricted` true. */
export const ClassLookup = Type.Object({
  at: IsoTimestamp,
  device: Type.String({ description: "the device's name (or its MAC when it has none)" }),
  mac: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  blocked: Type.Boolean(),
  category: Type.Union([Type.String(), Type.Null()], { description: 'the category title it was blocked (or watched) under' }),
  restricted: Type.Boolean(),
}, { additionalProperties: false });
export type ClassLookup = Static<typeof ClassLookup>;

export const ClassLive = Type.Object({
  group: Type.String(),
  name: Type.String(),
  from: IsoTimestamp,
  to: IsoTimestamp,
  devices: Type.Array(Type.Object({
    mac: Type.String(), name: Type.String(), lastSeen: Type.Union([IsoTimestamp, Type.Null()]), questions: Type.Integer({ minimum: 0 }), blocked: Type.Integer({ minimum: 0 }),
  }), { description: "the class's devices, with their questions and blocks in the window" }),
  lookups: Type.Array(ClassLookup, { maxItems: 500, description: 'newest first; the most recent 500' }),
  blockedNames: Type.Array(Type.Object({ name: Type.String(), category: Type.Union([Type.String(), Type.Null()]), count: Type.Integer({ minimum: 1 }), devices: Type.Integer({ minimum: 1 }) }), { description: 'what was blocked most, restricted names left out' }),
}, { additionalProperties: false });
export type ClassLive = Static<typeof ClassLive>;

export const ClassUnlockParams = Type.Object({
  group: Id,
  category: Id,
  minutes: Type.Integer({ minimum: 5, maximum: 480 }),
  reason: Type.String({ minLength: 3, maxLength: 300 }),
}, { additionalProperties: false });
export type ClassUnlockParams = Static<typeof ClassUnlockParams>;

export const ClassEndUnlockParams = Type.Object({ id: Id }, { additionalProperties: false });
export type ClassEndUnlockParams = Static<typeof ClassEndUnlockParams>;
