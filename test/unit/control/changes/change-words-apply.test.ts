// A request's words (network, group, schedule and category names; expiry on the school's clocks,
// across the clock change) and applying one to a configuration draft: an exception added as
// change-N, ended by removal, a page's edits made only when every value is still what the
// approvers saw, the stale path named.
import { describe, expect, it } from 'vitest';
import { CATALOGUE, defaultConfig } from '../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../firmware/config/schema.ts';
import { applyChange, StaleChangeError, valueAt } from '../../../../firmware/control/changes/change-apply.ts';
import { ChangeStateError } from '../../../../firmware/control/changes/change-rules.ts';
import { exceptionViews, expiryWords, proposalWords, requestOfException } from '../../../../firmware/control/changes/change-words.ts';

function school(): Config {
  const config = defaultConfig();
  config.site.timezone = 'Europe/London';
  config.deviceGroups = [{ id: 'year-6', name: 'Year 6' }, { id: 'media-club', name: 'Media club' }];
  config.schedules = [{ id: 'breaks', name: 'Breaks', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '10:30', to: '10:45' }] }];
  return config;
}
const ctx = (config: Config) => ({ config, categoryTitle: (id: string) => CATALOGUE.categories.get(id)?.title });
const WATCH = '3c:22:fb:00:00:01';
/** Not seen by the gateway yet, and a private (randomised) address. */
const NEW = '02:11:22:33:44:55';
const devices = (mac: string) => (mac === WATCH ? { name: "Sam's watch" } : undefined);

describe('proposalWords', () => {
  it('says an exception with its network and group names and its end on the school\'s clocks', () => {
    const config = school();
    const words = proposalWords({ kind: 'exception', domain: 'www.youtube.com', action: 'allow', networks: ['staff', 'pupil'], groups: ['year-6', 'media-club'], expires: '2026-12-19T23:59:00.000Z' }, ctx(config));
    expect(words.title).toBe('Allow www.youtube.com on Staff, Pupils (Year 6 and Media club only) until 19 Dec');
    expect(words.lines).toEqual([
      'Allow www.youtube.com (and every name under it) on Staff, Pupils (Year 6 and Media club only)',
      'Until Saturday 19 December 2026 at 23:59',
      'Reaches Pupils, not only staff: the headteacher must be one of the approvers',
      'It never lets through a name on an illegal-content list, whatever it says',
    ]);
    const block = proposalWords({ kind: 'exception', domain: '*.game.example', action: 'block', networks: ['pupil'] }, ctx(config));
    expect(block.title).toBe('Block *.game.example on Pupils');
    expect(block.lines).toEqual(['Block every name under game.example on Pupils', 'No end date: it stays until another request ends it']);
  });

  it('names the devices of a per-device exception, says the head approves it and which are not seen yet or randomised', () => {
    const config = school();
    const words = proposalWords({ kind: 'exception', domain: 'roblox.com', action: 'allow', networks: ['pupil'], devices: [WATCH], expires: '2026-12-19T23:59:00.000Z' }, { ...ctx(config), deviceName: devices });
    expect(words.title).toBe(`Allow roblox.com for Sam's watch (${WATCH}) on Pupils until 19 Dec`);
    expect(words.lines).toEqual([
      `Allow roblox.com (and every name under it) for Sam's watch (${WATCH}) on Pupils`,
      'Until Saturday 19 December 2026 at 23:59',
      'Only that device: every other device on that network keeps the standard filtering',
      'For named devices: the headteacher must be one of the approvers',
      'It never lets through a name on an illegal-content list, whatever it says',
    ]);
    const two = proposalWords({ kind: 'exception', domain: 'roblox.com', action: 'allow', networks: ['staff'], devices: [WATCH, NEW] }, { ...ctx(config), deviceName: devices });
    expect(two.title).toBe(`Allow roblox.com for Sam's watch (${WATCH}) and the device ${NEW} on Staff`);
    expect(two.lines).toContain(`Not seen by the gateway yet: ${NEW}; it applies once the device joins and is given an address`);
    expect(two.lines).toContain(`${NEW} is a private (randomised) address: if the device changes it, the exception no longer matches`);
    // Without the devices table, a device is named by its MAC alone.
    expect(proposalWords({ kind: 'exception', domain: 'a.example', action: 'block', networks: ['staff'], devices: [WATCH] }, ctx(config)).title).toBe(`Block a.example for the device ${WATCH} on Staff`);
  });

  it('writes times in British Summer Time when the clocks say so', () => {
    expect(expiryWords('2026-07-01T16:00:00.000Z', 'Europe/London', 'long')).toBe('Wednesday 1 July 2026 at 17:00');
    expect(expiryWords('2026-12-01T16:00:00.000Z', 'Europe/London', 'long')).toBe('Tuesday 1 December 2026 at 16:00');
  });

  it('says which exception an end request ends, or that it is gone', () => {
    const config = school();
    config.exceptions = [{ id: 'change-4', domain: 'maths.example', action: 'allow', networks: ['pupil'], reason: 'times tables practice', requestedBy: 'Sam Teacher', expires: '2027-01-01T00:00:00.000Z' }];
    const words = proposalWords({ kind: 'exception-end', exceptionId: 'change-4' }, ctx(config));
    expect(words.title).toBe('End the exception allowing maths.example on Pupils');
    expect(words.lines).toContain('It was asked for by Sam Teacher: "times tables practice"');
    expect(proposalWords({ kind: 'exception-end', exceptionId: 'gone' }, ctx(config)).title).toBe('End exception gone');
  });

  it('names the policy, the category and both rules for an AUP row, and falls back to the path for others', () => {
    const config = school();
    const pupil = config.policies.findIndex((p) => p.id === 'pupil');
    const words = proposalWords({
      kind: 'config', action: 'policy.edit', subject: 'pupil', edits: [
        { path: `/policies/${pupil}/categories/social`, before: { disposition: 'unacceptable' }, after: { disposition: 'acceptable-at-certain-times', schedule: 'breaks' } },
        { path: `/policies/${pupil}/categories/gaming`, before: undefined, after: { disposition: 'acceptable-for-nominated-users', groups: ['year-6'], watch: true } },
        { path: `/policies/${pupil}/safeSearch`, before: 'strict', after: 'moderate' },
        { path: '/dns/blockTtl', before: 60, after: 30 },
      ],
    }, ctx(config));
    expect(words.title).toBe('Change the Pupils policy: Social networking, Online gaming');
    expect(words.lines).toEqual([
      'The Pupils policy (used on Pupils): Social networking: unacceptable → acceptable at certain times (Breaks)',
      'The Pupils policy (used on Pupils): Online gaming: acceptable (no rule) → acceptable for nominated users (Year 6), watched',
      'The Pupils policy (used on Pupils): Safe search: strict → moderate',
      '/dns/blockTtl: 60 → 30',
    ]);
  });

  it("reads a row's edits, one per changed value as a page's diff makes them, as one line for the row", () => {
    const config = school();
    const pupil = config.policies.findIndex((p) => p.id === 'pupil');
    config.policies[pupil]!.categories.social = { disposition: 'unacceptable' };
    const words = proposalWords({
      kind: 'config', action: 'policy.edit', subject: 'pupil', edits: [
        { path: `/policies/${pupil}/categories/social/disposition`, before: 'unacceptable', after: 'acceptable-at-certain-times' },
        { path: `/policies/${pupil}/safeSearch`, before: 'strict', after: 'moderate' },
        { path: `/policies/${pupil}/categories/social/schedule`, after: 'breaks' },
        { path: `/policies/${pupil}/categories/social/watch`, after: true },
      ],
    }, ctx(config));
    expect(words.title).toBe('Change the Pupils policy: Social networking');
    expect(words.lines).toEqual([
      'The Pupils policy (used on Pupils): Social networking: unacceptable → acceptable at certain times (Breaks), watched',
      'The Pupils policy (used on Pupils): Safe search: strict → moderate',
    ]);
  });
});

describe('proposalWords for the head\'s limits on class unlocks', () => {
  it('reads the limits as the Acceptable use page lists them, whole or one field at a time', () => {
    const config = school();
    const added = proposalWords({ kind: 'config', action: 'classes.limits', subject: 'classes.unlocks', edits: [
      { path: '/classes', after: { teachers: [], unlocks: [{ category: 'streaming', groups: ['year-6'], maxMinutes: 60 }, { category: 'gaming', maxMinutes: 30 }] } },
    ] }, ctx(config));
    expect(added.title).toBe('Change what teachers may unlock for their classes');
    expect(added.lines).toEqual(['What teachers may unlock for their classes: none → Video and music streaming for Year 6, up to 60 minutes; Online gaming for every class, up to 30 minutes']);

    config.classes = { teachers: [], unlocks: [{ category: 'streaming', groups: ['year-6'], maxMinutes: 60 }] };
    const longer = proposalWords({ kind: 'config', action: 'classes.limits', subject: 'classes.unlocks', edits: [
      { path: '/classes/unlocks/0/maxMinutes', before: 60, after: 90 },
      { path: '/classes/unlocks/0/groups', before: ['year-6'], after: ['year-6', 'media-club'] },
    ] }, ctx(config));
    expect(longer.lines).toEqual([
      'What teachers may unlock for their classes: Video and music streaming for Year 6, up to 60 minutes: longest 60 minutes → 90 minutes',
      'What teachers may unlock for their classes: Video and music streaming for Year 6, up to 60 minutes: classes Year 6 → Year 6 and Media club',
    ]);
    const removed = proposalWords({ kind: 'config', action: 'classes.limits', subject: 'classes.unlocks', edits: [
      { path: '/classes/unlocks', before: [{ category: 'streaming', groups: ['year-6'], maxMinutes: 60 }], after: [] },
    ] }, ctx(config));
    expect(removed.lines).toEqual(['What teachers may unlock for their classes: Video and music streaming for Year 6, up to 60 minutes → none']);
  });
});

describe('exceptionViews', () => {
  it('lists exceptions with where, expiry, expired and the request that made each', () => {
    const config = school();
    config.exceptions = [
      { id: 'change-12', domain: 'a.example', action: 'allow', networks: ['staff'], groups: ['year-6'], reason: 'topic work', requestedBy: 'Sam', expires: '2026-12-01T00:00:00Z' },
      { id: 'by-hand', domain: 'b.example', action: 'block', reason: 'old one', requestedBy: 'IT' },
    ];
    expect(exceptionViews(config, new Date('2026-12-07T09:00:00Z'))).toEqual([
      { id: 'change-12', domain: 'a.example', action: 'allow', where: 'Staff (Year 6 only)', networks: ['staff'], groups: ['year-6'], devices: null, reason: 'topic work', requestedBy: 'Sam', expires: '2026-12-01T00:00:00.000Z', expired: true, changeRequest: 12 },
      { id: 'by-hand', domain: 'b.example', action: 'block', where: 'every network', networks: null, groups: null, devices: null, reason: 'old one', requestedBy: 'IT', expires: null, expired: false, changeRequest: null },
    ]);
    expect(requestOfException('change-x')).toBeNull();
  });

  it('names the devices an exception is for from the devices table', () => {
    const config = school();
    config.exceptions = [{ id: 'change-3', domain: 'roblox.com', action: 'allow', networks: ['pupil'], devices: [WATCH, NEW], reason: 'after-school club', requestedBy: 'Sam' }];
    expect(exceptionViews(config, new Date('2026-12-07T09:00:00Z'), devices)[0]).toMatchObject({
      where: `Pupils, for Sam's watch (${WATCH}) and the device ${NEW} only`, devices: [{ mac: WATCH, name: "Sam's watch" }, { mac: NEW, name: null }],
    });
  });
});

describe('applyChange', () => {
  const input = { id: 7, rationale: '  History topic on the Second World War  ', requestedByName: 'Sam Teacher', now: new Date('2026-12-07T09:00:00.000Z') };

  it('adds an exception as change-N with the rationale and the requester, and ends one by removing it', () => {
    const draft = school();
    const applied = applyChange(draft, { ...input, proposal: { kind: 'exception', domain: 'www.youtube.com', action: 'allow', networks: ['staff'], expires: '2026-12-19T23:59:00.000Z' } });
    expect(applied.reference).toBe('change-7');
    expect(draft.exceptions).toEqual([{ id: 'change-7', domain: 'www.youtube.com', action: 'allow', networks: ['staff'], reason: 'History topic on the Second World War', requestedBy: 'Sam Teacher', expires: '2026-12-19T23:59:00.000Z' }]);
    expect(() => applyChange(draft, { ...input, proposal: { kind: 'exception', domain: 'x.example', action: 'allow', networks: ['staff'] } })).toThrow(ChangeStateError);
    applyChange(draft, { ...input, id: 10, proposal: { kind: 'exception', domain: 'roblox.com', action: 'allow', networks: ['pupil'], devices: [WATCH] } });
    expect(draft.exceptions.at(-1)).toMatchObject({ id: 'change-10', devices: [WATCH] });
    draft.exceptions.pop();
    const ended = applyChange(draft, { ...input, id: 8, proposal: { kind: 'exception-end', exceptionId: 'change-7' } });
    expect(ended.reference).toBe('change-7');
    expect(draft.exceptions).toEqual([]);
    expect(() => applyChange(draft, { ...input, id: 9, proposal: { kind: 'exception-end', exceptionId: 'change-7' } })).toThrow(StaleChangeError);
  });

  it('makes a page\'s edits only when every value is still the one approved, naming the stale path', () => {
    const draft = school();
    const pupil = draft.policies.findIndex((p) => p.id === 'pupil');
    const path = `/policies/${pupil}/categories/social`;
    const current = structuredClone(valueAt(draft, path));
    expect(current).toBeDefined();
    const edits = [{ path, before: current, after: { disposition: 'acceptable' } }, { path: `/policies/${pupil}/categories/brand-new`, after: { disposition: 'unacceptable' } }];
    const untouched = structuredClone(draft);
    const stale = [{ ...edits[0]!, before: { disposition: 'acceptable-at-certain-times', schedule: 'breaks' } }, edits[1]!];
    expect(() => applyChange(draft, { ...input, proposal: { kind: 'config', action: 'policy.edit', subject: 'pupil', edits: stale } }))
      .toThrow(`the configuration changed since this was requested (${path}): withdraw it and request again`);
    expect(draft).toEqual(untouched);
    const applied = applyChange(draft, { ...input, proposal: { kind: 'config', action: 'policy.edit', subject: 'pupil', edits } });
    expect(applied).toMatchObject({ reference: null, details: { action: 'policy.edit', subject: 'pupil' } });
    expect(valueAt(draft, path)).toEqual({ disposition: 'acceptable' });
    expect(valueAt(draft, `/policies/${pupil}/categories/brand-new`)).toEqual({ disposition: 'unacceptable' });
    // Removing a value: `after` absent.
    applyChange(draft, { ...input, proposal: { kind: 'config', action: 'policy.edit', subject: 'pupil', edits: [{ path: `/policies/${pupil}/categories/brand-new`, before: { disposition: 'unacceptable' } }] } });
    expect(valueAt(draft, `/policies/${pupil}/categories/brand-new`)).toBeUndefined();
    // A path whose parent is gone is stale too.
    expect(() => applyChange(draft, { ...input, proposal: { kind: 'config', action: 'policy.edit', subject: 'x', edits: [{ path: '/policies/40/categories/social', after: { disposition: 'acceptable' } }] } })).toThrow(StaleChangeError);
  });
});
