// The teacher's class view (the school policies: a class teacher may see what their class's
// devices look up and what is blocked during the lesson, and some things are "allowed with staff
// permission", e.g. streaming for a lesson, within limits the head has set in advance).
// A class is a device group (a class set of iPads, a year group's laptops). The configuration's
// `classes` section says who teaches which class (who may watch it and unlock for it) and what
// may be unlocked, for how long at most: the head's limits, a filtering change like any other, so
// a page edits them through change control. `classUnlocks` are the unlocks teachers made: each
// one category for one class until a time, like an exception, written by the daemon and audited.
import { Type, type Static } from 'typebox';
import { Id } from './schema-common.ts';

const Username = Type.String({ minLength: 2, maxLength: 64, pattern: '^[a-z0-9][a-z0-9._-]*$', description: "an account's username" });

export const ClassTeachers = Type.Object({
  group: Id,
  accounts: Type.Array(Username, { maxItems: 32, uniqueItems: true, description: 'the accounts that teach this class: they may watch it and unlock for it' }),
}, { additionalProperties: false });
export type ClassTeachers = Static<typeof ClassTeachers>;

export const UnlockLimit = Type.Object({
  category: Id,
  groups: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 256, uniqueItems: true, description: 'only these classes (default: every class)' })),
  maxMinutes: Type.Integer({ minimum: 5, maximum: 480, description: 'the longest one unlock may last' }),
}, { additionalProperties: false, description: 'a category a teacher may open for their class for a while; never one a policy marks unacceptable and illegal, never a restricted list' });
export type UnlockLimit = Static<typeof UnlockLimit>;

export const ClassSettings = Type.Object({
  teachers: Type.Array(ClassTeachers, { maxItems: 256 }),
  unlocks: Type.Array(UnlockLimit, { maxItems: 64, description: "the head's limits, set in advance (through change control)" }),
}, { additionalProperties: false, description: "the teacher's class view: who teaches which class, and what they may unlock for it" });
export type ClassSettings = Static<typeof ClassSettings>;

export const ClassUnlock = Type.Object({
  id: Id,
  group: Id,
  category: Id,
  from: Type.String({ format: 'date-time' }),
  until: Type.String({ format: 'date-time' }),
  by: Type.String({ minLength: 1, maxLength: 120, description: 'the actor who unlocked it (account:USERNAME)' }),
  reason: Type.String({ minLength: 3, maxLength: 300, description: 'what the lesson needs it for' }),
}, { additionalProperties: false, description: "one category opened for one class's devices until a time (the DNS engine ignores it outside from..until)" });
export type ClassUnlock = Static<typeof ClassUnlock>;
