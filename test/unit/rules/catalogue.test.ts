import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CATEGORY_SEVERITY, defaultConfig } from '../../../firmware/config/defaults.ts';
import { Disposition, NetworkKind, type Policy } from '../../../firmware/config/schema.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { blocksNow } from '../../../firmware/dns/policy/disposition.ts';
import {
  builtinId, CatalogueError, loadCatalogue, POLICY_KINDS, RULES_DIR, SEVERITIES, type CatalogueIssue,
} from '../../../firmware/rules/catalogue.ts';
import { parseListText } from '../../../firmware/rules/formats/parse.ts';

const catalogue = loadCatalogue();
const literals = (union: { anyOf: { const: string }[] }): string[] => union.anyOf.map((s) => s.const);

// The ids the code, the tests and existing school configurations already use.
const KNOWN_IDS = [
  'illegal', 'extremism', 'self-harm', 'adult', 'malware', 'bypass', 'hate', 'violence', 'drugs', 'gambling',
  'piracy', 'social', 'gaming', 'streaming', 'file-hosting', 'dating', 'chat', 'videoconferencing',
];

const policy = (id: string): Policy => catalogue.defaultPolicies().find((p) => p.id === id)!;
/** Categories the policy blocks at some time for a device outside any group. */
const blockedSometimes = (p: Policy): Set<string> => new Set(Object.entries(p.categories)
  .filter(([, rule]) => blocksNow(rule, { scheduleActive: false, groupId: undefined }))
  .map(([id]) => id));
const blockedAlways = (p: Policy): Set<string> => new Set(Object.entries(p.categories)
  .filter(([, rule]) => blocksNow(rule, { scheduleActive: true, groupId: undefined }))
  .map(([id]) => id));

describe('the shipped catalogue', () => {
  it('loads, with every category id the code and the defaults use', () => {
    expect([...catalogue.categories.keys()].sort()).toEqual([...KNOWN_IDS].sort());
    for (const [id, c] of catalogue.categories) expect(c.id).toBe(id);
  });

  it('orders categories most severe first, illegal content first of all', () => {
    const ranks = catalogue.bySeverity.map((id) => SEVERITIES.indexOf(catalogue.categories.get(id)!.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(catalogue.bySeverity[0]).toBe('illegal');
    expect(catalogue.bySeverity.slice(0, 3).sort()).toEqual(['extremism', 'illegal', 'self-harm']);
    expect([...catalogue.bySeverity].sort()).toEqual([...KNOWN_IDS].sort());
  });

  it('knows every category the defaults, the policies and the DNS severity order mention', () => {
    const config = defaultConfig();
    const mentioned = new Set([
      ...config.policies.flatMap((p) => Object.keys(p.categories)),
      ...config.lists.map((l) => l.category),
      ...CATEGORY_SEVERITY,
    ]);
    for (const id of mentioned) expect(catalogue.categories.has(id), id).toBe(true);
  });

  it('gives a valid severity and a valid disposition for every kind of network', () => {
    const kinds = literals(NetworkKind as never);
    const dispositions = literals(Disposition as never);
    for (const c of catalogue.categories.values()) {
      expect(SEVERITIES).toContain(c.severity);
      expect(Object.keys(c.dispositions).sort(), c.id).toEqual([...kinds].sort());
      for (const kind of kinds) expect(dispositions, `${c.id} on ${kind}`).toContain(c.dispositions[kind as NetworkKind]);
      expect(c.sources.length, c.id).toBeGreaterThan(0);
    }
  });

  it('ships no lists for content only the provider may curate', () => {
    for (const id of ['illegal', 'extremism', 'self-harm', 'adult', 'malware', 'hate', 'violence', 'drugs']) {
      expect(catalogue.categories.get(id)!.starterList, id).toBeUndefined();
      expect(existsSync(join(RULES_DIR, 'categories', `${id}.txt`)), id).toBe(false);
    }
  });
});

describe('the shipped starter lists', () => {
  const files = async (): Promise<string[]> => (await readdir(join(RULES_DIR, 'categories'))).filter((f) => f.endsWith('.txt'));

  it('parse with zero bad lines, no repeats, and a header naming their sources', async () => {
    const listed = await files();
    expect(listed.length).toBeGreaterThanOrEqual(8);
    for (const file of listed) {
      const text = await readFile(join(RULES_DIR, 'categories', file), 'utf8');
      const parsed = parseListText(text, 'domains', { exceptions: false });
      expect(parsed.errors, file).toEqual([]);
      expect(parsed.summary.duplicates, file).toBe(0);
      expect(parsed.summary.skipped, file).toEqual([]);
      const names = parsed.items.map((i) => (i.type === 'name' ? i.name : `not a name: ${i.type}`));
      expect(new Set(names).size, file).toBe(names.length);
      expect(names.length, file).toBeGreaterThan(5);
      expect(text.split('\n').slice(0, 10).join('\n'), file).toMatch(/^# .*\n(#.*\n)*# Sources?:/m);
    }
  });

  it('are each referenced by their category and subscribed by the defaults as builtin:<id>', async () => {
    const withLists = [...catalogue.categories.values()].filter((c) => c.starterList);
    expect(withLists.map((c) => c.starterList).sort()).toEqual((await files()).sort());
    expect(defaultConfig().lists).toEqual(catalogue.builtinLists());
    for (const list of catalogue.builtinLists()) {
      const id = builtinId(list.file)!;
      expect(list).toMatchObject({ category: id, format: 'domains', enabled: true });
      expect(existsSync(catalogue.builtinListPath(id))).toBe(true);
      expect(catalogue.starterNames.get(id)!.length).toBeGreaterThan(0);
    }
    expect(() => catalogue.builtinListPath('adult')).toThrow(/no shipped category "adult" has a starter list/);
    expect(builtinId('lists/social.txt')).toBeUndefined();
  });

  it('give every category with a list a test name for the self-test, held by that list alone', () => {
    for (const c of catalogue.categories.values()) {
      expect(c.testName !== undefined, c.id).toBe(c.starterList !== undefined);
      if (c.testName === undefined) continue;
      const holders = [...catalogue.starterNames].filter(([, names]) => names.some((n) => c.testName === n.name || c.testName!.endsWith(`.${n.name}`)));
      expect(holders.map(([id]) => id), c.testName).toEqual([c.id]);
    }
  });

  it('put no name under another category\'s list unless the overlap is noted', () => {
    const covers = (outer: string, inner: string): boolean => inner === outer || inner.endsWith(`.${outer}`);
    const found: string[] = [];
    for (const [a, aNames] of catalogue.starterNames) {
      for (const [b, bNames] of catalogue.starterNames) {
        if (a === b) continue;
        for (const x of aNames) if (bNames.some((y) => covers(y.name, x.name))) found.push(`${a}:${x.name}:${b}`);
      }
    }
    const noted = [...catalogue.categories.values()].flatMap((c) => (c.overlaps ?? []).flatMap((o) => [
      `${c.id}:${o.name}:${o.category}`, `${o.category}:${o.name}:${c.id}`,
    ]));
    expect(found.sort()).toEqual(noted.sort());
  });

  it('leave alone the names a primary school teaches with', () => {
    const needed = [
      'www.youtube.com', 'www.google.com', 'classroom.google.com', 'drive.google.com', 'www.office.com',
      'login.microsoftonline.com', 'www.microsoft.com', 'education.minecraft.net', 'www.bbc.co.uk', 'github.com',
      'vimeo.com', 'ttrockstars.com', 'www.gov.uk', 'proton.me', 'use-application-dns.net',
    ];
    for (const [id, names] of catalogue.starterNames) {
      for (const name of needed) {
        expect(names.filter((n) => name === n.name || name.endsWith(`.${n.name}`)), `${name} in ${id}`).toEqual([]);
      }
    }
  });
});

describe('the shipped policies', () => {
  it('are the defaults\' policies, one per kind, naming every category, and the defaults validate', () => {
    const config = defaultConfig();
    expect(config.policies.map((p) => p.id)).toEqual([...POLICY_KINDS]);
    expect(config.policies).toEqual(catalogue.defaultPolicies());
    for (const p of config.policies) expect(Object.keys(p.categories).sort()).toEqual([...KNOWN_IDS].sort());
    const result = validateConfig(config);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('take each disposition from the category\'s default for that kind of network', () => {
    for (const p of catalogue.defaultPolicies()) {
      for (const [id, rule] of Object.entries(p.categories)) {
        expect(rule.disposition, `${p.id}/${id}`).toBe(catalogue.categories.get(id)!.dispositions[p.id as NetworkKind]);
      }
    }
  });

  it('block illegal content as unacceptable and illegal everywhere', () => {
    for (const p of catalogue.defaultPolicies()) expect(p.categories.illegal).toEqual({ disposition: 'unacceptable-and-illegal' });
    for (const disposition of Object.values(catalogue.categories.get('illegal')!.dispositions)) expect(disposition).toBe('unacceptable-and-illegal');
  });

  it('keep guests from social networking, gaming, P2P, streaming and personal downloads', () => {
    const guest = blockedAlways(policy('guest'));
    for (const id of ['social', 'gaming', 'piracy', 'streaming', 'file-hosting']) expect(guest.has(id), id).toBe(true);
    expect(policy('guest').safeSearch).toBe('strict');
  });

  it('make the pupil policy the strictest: safe search strict, videoconferencing off, everything guests lose', () => {
    const pupil = policy('pupil');
    expect(pupil.safeSearch).toBe('strict');
    expect(pupil.categories.videoconferencing).toEqual({ disposition: 'unacceptable' });
    const sometimes = blockedSometimes(pupil);
    for (const id of blockedAlways(policy('guest'))) expect(sometimes.has(id), id).toBe(true);
    for (const [id, rule] of Object.entries(pupil.categories)) expect(rule.disposition, id).not.toBe('acceptable');
  });

  it('make the staff policy the broadest: it blocks a subset of what pupils and guests lose', () => {
    const staff = blockedSometimes(policy('staff'));
    const pupil = blockedAlways(policy('pupil'));
    const guest = blockedAlways(policy('guest'));
    for (const id of staff) {
      expect(pupil.has(id), `pupil ${id}`).toBe(true);
      expect(guest.has(id), `guest ${id}`).toBe(true);
    }
    expect(staff.size).toBeLessThan(blockedSometimes(policy('pupil')).size);
  });

  it('are fresh copies each time', () => {
    const first = catalogue.defaultPolicies();
    first[0]!.categories.social!.disposition = 'unacceptable';
    expect(catalogue.defaultPolicies()[0]!.categories.social!.disposition).toBe('acceptable');
  });
});

describe('loadCatalogue on a broken copy', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Copies the shipped rules, applies `edit`, and returns the load's issues ([] if it loaded). */
  async function issuesAfter(edit: (dir: string) => Promise<void>): Promise<CatalogueIssue[]> {
    dir = await mkdtemp(join(tmpdir(), 'schoolgate-rules-'));
    await cp(RULES_DIR, dir, { recursive: true });
    await edit(dir);
    try {
      loadCatalogue(dir);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(CatalogueError);
      expect((error as Error).message).toContain(dir);
      return (error as CatalogueError).issues;
    }
  }
  const editJson = async (file: string, change: (doc: any) => void): Promise<void> => {
    const path = join(dir!, file);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    change(doc);
    await writeFile(path, JSON.stringify(doc));
  };
  const append = async (file: string, text: string): Promise<void> => {
    const path = join(dir!, file);
    await writeFile(path, (await readFile(path, 'utf8')) + text);
  };

  it('loads an unchanged copy', async () => {
    expect(await issuesAfter(async () => {})).toEqual([]);
  });

  it.each<[string, (d: string) => Promise<void>, CatalogueIssue]>([
    ['a file that is not JSON', (d) => writeFile(join(d, 'categories/chat.json'), '{ "id": "chat",\n  oops }'),
      { file: 'categories/chat.json', path: '', message: expect.stringMatching(/^not JSON: line 2, column 3/) }],
    ['an unknown severity', () => editJson('categories/dating.json', (c) => { c.severity = 'urgent'; }),
      { file: 'categories/dating.json', path: '/severity', message: expect.stringContaining('"urgent"') }],
    ['a missing network kind', () => editJson('categories/social.json', (c) => { delete c.dispositions['school-devices']; }),
      { file: 'categories/social.json', path: '/dispositions/school-devices', message: expect.stringContaining('required') }],
    ['an id that is not the file name', () => editJson('categories/chat.json', (c) => { c.id = 'chatting'; }),
      { file: 'categories/chat.json', path: '/id', message: expect.stringContaining('chat.json') }],
    ['a precedence against severity', () => editJson('categories/self-harm.json', (c) => { c.precedence = 40; }),
      { file: 'categories/self-harm.json', path: '/precedence', message: '"self-harm" (critical) must come before "file-hosting" (low): precedence follows severity' }],
    ['a precedence used twice', () => editJson('categories/chat.json', (c) => { c.precedence = 12; }),
      { file: 'categories/dating.json', path: '/precedence', message: 'precedence 12 is also used by "chat"' }],
    ['a starter list that does not exist', (d) => rm(join(d, 'categories/dating.txt')),
      { file: 'categories/dating.json', path: '/starterList', message: 'categories/dating.txt does not exist' }],
    ['a list nobody references', (d) => writeFile(join(d, 'categories/news.txt'), 'bbc.co.uk\n'),
      { file: 'categories/news.txt', path: '', message: expect.stringContaining('no category names this list') }],
    ['a bad line in a list', () => append('categories/chat.txt', 'https://chat.example/room\n'),
      { file: 'categories/chat.txt', path: expect.stringMatching(/^line \d+$/), message: expect.stringContaining('URL') }],
    ['an exception line in a list', () => append('categories/chat.txt', '@@||chat.example^\n'),
      { file: 'categories/chat.txt', path: expect.stringMatching(/^line \d+$/), message: expect.any(String) }],
    ['a repeated entry', () => append('categories/chat.txt', 'ome.tv\n'),
      { file: 'categories/chat.txt', path: expect.stringMatching(/^line \d+$/), message: expect.stringMatching(/^"ome.tv" is already listed on line \d+$/) }],
    ['an entry its own list already covers', () => append('categories/chat.txt', 'www.ome.tv\n'),
      { file: 'categories/chat.txt', path: expect.stringMatching(/^line \d+$/), message: '"www.ome.tv" is already covered by "ome.tv" in the same list' }],
    ['an overlap nobody noted', () => append('categories/chat.txt', 'discord.gg\n'),
      { file: 'categories/chat.txt', path: expect.stringMatching(/^line \d+$/), message: expect.stringContaining('overlaps "discord.gg" in categories/social.txt') }],
    ['a stale overlap note', () => editJson('categories/gaming.json', (c) => { c.overlaps[0].name = 'roblox.com'; }),
      { file: 'categories/gaming.json', path: '/overlaps/0', message: expect.stringContaining('stale') }],
    ['a policy that disagrees with its category', () => editJson('policies/pupil.json', (p) => { p.categories.social = { disposition: 'acceptable' }; }),
      { file: 'policies/pupil.json', path: '/categories/social/disposition', message: 'is "acceptable", but categories/social.json gives pupil "unacceptable"' }],
    ['a policy that leaves a category out', () => editJson('policies/staff.json', (p) => { delete p.categories.gambling; }),
      { file: 'policies/staff.json', path: '/categories/gambling', message: expect.stringContaining('names every category') }],
    ['a policy naming an unknown category', () => editJson('policies/guest.json', (p) => { p.categories.news = { disposition: 'acceptable' }; }),
      { file: 'policies/guest.json', path: '/categories/news', message: 'no category "news" in categories/' }],
    ['a policy that is not a Policy', () => editJson('policies/guest.json', (p) => { p.safeSearch = 'on'; }),
      { file: 'policies/guest.json', path: '/safeSearch', message: expect.stringContaining('must be one of') }],
    ['a missing policy', (d) => rm(join(d, 'policies/guest.json')),
      { file: 'policies/guest.json', path: '', message: expect.stringContaining('missing') }],
    ['a test name its own list does not hold', () => editJson('categories/chat.json', (c) => { c.testName = 'chat.example.test'; }),
      { file: 'categories/chat.json', path: '/testName', message: '"chat.example.test" is not blocked by any entry of chat.txt' }],
    ['a test name another category\'s list holds too', () => editJson('categories/streaming.json', (c) => { c.testName = 'www.kick.com'; }),
      { file: 'categories/streaming.json', path: '/testName', message: expect.stringMatching(/^"www.kick.com" is also held by categories\/gambling.txt \(line \d+\)/) }],
    ['a test name without a starter list', () => editJson('categories/adult.json', (c) => { c.testName = 'adult.example.test'; }),
      { file: 'categories/adult.json', path: '/testName', message: expect.stringContaining('needs a starter list') }],
    ['a wildcard test name', () => editJson('categories/chat.json', (c) => { c.testName = '*.ome.tv'; }),
      { file: 'categories/chat.json', path: '/testName', message: expect.any(String) }],
    ['a watch flag the category does not give', () => editJson('policies/staff.json', (p) => { p.categories.social.watch = true; }),
      { file: 'policies/staff.json', path: '/categories/social/watch', message: 'must be false to match categories/social.json' }],
  ])('reports %s with its file and path', async (_, edit, issue) => {
    const issues = await issuesAfter(edit);
    expect(issues).toContainEqual(issue);
  });

  it('reports a broken category once, not again from its list and the policies that name it', async () => {
    const issues = await issuesAfter(() => editJson('categories/gaming.json', (c) => { c.severity = 'lowish'; }));
    expect(issues).toEqual([{ file: 'categories/gaming.json', path: '/severity', message: expect.stringContaining('"lowish"') }]);
  });

  it('carries a category\'s watch flag into the matching policy', async () => {
    const issues = await issuesAfter(async () => {
      await editJson('categories/social.json', (c) => { c.watch = { staff: true }; });
      await editJson('policies/staff.json', (p) => { p.categories.social.watch = true; });
    });
    expect(issues).toEqual([]);
    expect(loadCatalogue(dir).defaultPolicies()[0]!.categories.social).toEqual({ disposition: 'acceptable', watch: true });
  });
});
