// What the pages do to the configuration's `classes` section, on plain documents: the categories a
// limit may ever name (never illegal content), the limits as the Acceptable use page lists them,
// an edit of the limits or of the teachers that keeps the other half of the section, and each
// refusal beside its form field with the draft untouched.
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../../firmware/admin/auth/errors.ts';
import { applyClassLimits, applyClassTeachers, classLimitsFieldOf, classLimitsView, classTeachersFieldOf, unlockableCategories } from '../../../firmware/admin/class-settings.ts';
import { CATALOGUE, defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';

const categories = CATALOGUE.categories;

function school(): Config {
  const config = defaultConfig();
  config.deviceGroups = [{ id: 'year6', name: 'Year 6' }, { id: 'year3', name: 'Year 3' }];
  return config;
}

function refusal(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('unlockableCategories', () => {
  it('offers every catalogue category but illegal content, by title', () => {
    const config = school();
    const ids = unlockableCategories(config, categories).map((c) => c.id);
    expect(ids).toContain('streaming');
    expect(ids).toContain('gaming');
    expect(ids).not.toContain('illegal');
    expect(ids).not.toContain('extremism');
    const titles = unlockableCategories(config, categories).map((c) => c.title);
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b, 'en-GB')));
  });

  it('leaves out a category holding a restricted list, and one a policy marks unacceptable and illegal', () => {
    const config = school();
    config.lists.push({ id: 'gambling-iwf', name: 'Provider list', category: 'gambling', file: 'g.txt', format: 'domains', enabled: true, restricted: true });
    config.policies[0]!.categories.gaming = { disposition: 'unacceptable-and-illegal' };
    const ids = unlockableCategories(config, categories).map((c) => c.id);
    expect(ids).not.toContain('gambling');
    expect(ids).not.toContain('gaming');
    expect(ids).toContain('streaming');
  });
});

describe('applyClassLimits', () => {
  it('replaces the limits and keeps the teachers; the result passes the configuration\'s checks', () => {
    const draft = school();
    draft.classes = { teachers: [{ group: 'year6', accounts: ['sam.teacher'] }], unlocks: [] };
    applyClassLimits(draft, [{ category: 'streaming', groups: ['year6'], maxMinutes: 60 }, { category: 'gaming', maxMinutes: 30 }], categories);
    expect(draft.classes).toEqual({
      teachers: [{ group: 'year6', accounts: ['sam.teacher'] }],
      unlocks: [{ category: 'streaming', groups: ['year6'], maxMinutes: 60 }, { category: 'gaming', maxMinutes: 30 }],
    });
    expect(validateConfig(draft).ok).toBe(true);
    const view = classLimitsView(draft, categories, false);
    expect(view.limits).toEqual([
      { category: 'streaming', title: categories.get('streaming')!.title, groups: [{ id: 'year6', name: 'Year 6' }], maxMinutes: 60 },
      { category: 'gaming', title: categories.get('gaming')!.title, groups: null, maxMinutes: 30 },
    ]);
    expect(view.groups).toEqual([{ id: 'year6', name: 'Year 6' }, { id: 'year3', name: 'Year 3' }]);
    expect(view.editable).toBe(false);
  });

  it('makes the section when there was none, with no teachers', () => {
    const draft = school();
    applyClassLimits(draft, [{ category: 'streaming', maxMinutes: 45 }], categories);
    expect(draft.classes).toEqual({ teachers: [], unlocks: [{ category: 'streaming', maxMinutes: 45 }] });
  });

  it('refuses illegal content, an unknown category or class, and a second limit for a category, each beside its field', () => {
    const draft = school();
    const before = JSON.stringify(draft);
    const error = refusal(() => applyClassLimits(draft, [
      { category: 'illegal', maxMinutes: 30 },
      { category: 'no-such', maxMinutes: 30 },
      { category: 'streaming', groups: ['year9'], maxMinutes: 30 },
      { category: 'gaming', groups: ['year6'], maxMinutes: 30 },
      { category: 'gaming', groups: ['year3'], maxMinutes: 60 },
    ], categories));
    expect(error.status).toBe(400);
    expect(error.fields).toEqual({
      'unlocks/0/category': 'illegal content is blocked on every network: it can never be unlocked',
      'unlocks/1/category': 'there is no category "no-such"',
      'unlocks/2/groups': 'there is no class (device group) "year9"',
      'unlocks/4/category': 'this category already has a limit above: tick every class it is for there',
    });
    expect(JSON.stringify(draft)).toBe(before);
  });

  it('names the limits form\'s fields for the configuration\'s paths, and only those', () => {
    expect(classLimitsFieldOf('/classes/unlocks/2/maxMinutes')).toBe('unlocks/2/maxMinutes');
    expect(classLimitsFieldOf('/classes/unlocks')).toBe('unlocks');
    expect(classLimitsFieldOf('/classes/teachers/0/group')).toBeUndefined();
    expect(classLimitsFieldOf('/policies/0/name')).toBeUndefined();
  });
});

describe('applyClassTeachers', () => {
  it('replaces the teachers, drops a class left with no one, and keeps the limits', () => {
    const draft = school();
    draft.classes = { teachers: [], unlocks: [{ category: 'streaming', maxMinutes: 60 }] };
    const kept = applyClassTeachers(draft, [{ group: 'year6', accounts: ['sam.teacher', 'kim.ta'] }, { group: 'year3', accounts: [] }], () => true);
    expect(kept).toEqual([{ group: 'year6', accounts: ['sam.teacher', 'kim.ta'] }]);
    expect(draft.classes).toEqual({ teachers: kept, unlocks: [{ category: 'streaming', maxMinutes: 60 }] });
  });

  it('refuses a class that is not a device group, one listed twice, and an account that does not exist', () => {
    const draft = school();
    const error = refusal(() => applyClassTeachers(draft, [
      { group: 'year9', accounts: [] },
      { group: 'year6', accounts: ['sam.teacher', 'nobody'] },
      { group: 'year6', accounts: [] },
    ], (u) => u === 'sam.teacher'));
    expect(error.fields).toEqual({
      'teachers/0/group': 'there is no class (device group) "year9"',
      'teachers/1/accounts': 'there is no account "nobody"',
      'teachers/2/group': 'this class is listed twice: list its teachers once',
    });
    expect(draft.classes).toBeUndefined();
    expect(classTeachersFieldOf('/classes/teachers/1/accounts/0')).toBe('teachers/1/accounts');
    expect(classTeachersFieldOf('/classes/teachers')).toBe('teachers');
    expect(classTeachersFieldOf('/classes/unlocks/0')).toBeUndefined();
  });
});
