// The shipped catalogue: what each category means, how severe it is, its default disposition on
// each kind of network, its curated starter list, and the default policies built from them.
// Everything under rules/ is data a person edits by hand, so every rule about it is checked
// here, at load, and reported with the file and JSON path: a bad shipped file must stop the
// build's tests and the daemon's start, never quietly change what is filtered.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { parseJsonText } from '../config/json-text.ts';
import { RULES_DIR } from '../paths.ts';
import { pointer } from '../config/issues.ts';
import { Disposition, Hostname, Id, Policy, type ListSource, type NetworkKind } from '../config/schema.ts';
import { schemaIssues, type SchemaError } from '../config/schema-issues.ts';
import type { NameMode } from './formats/domain-name.ts';
import { parseListText } from './formats/parse.ts';
import { BUILTIN_PREFIX } from './builtin-id.ts';

export { RULES_DIR };

/** A list file of the form `builtin:ID` names the starter list of category ID. */
export { BUILTIN_PREFIX, builtinId } from './builtin-id.ts';

/** Most severe first. Critical categories alert at once; the rest wait for the weekly review. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const Severity = Type.Union([Type.Literal('critical'), Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);
export type Severity = Static<typeof Severity>;

/** The kinds of network a policy is written for; school-devices and management have no shipped policy. */
export const POLICY_KINDS = ['staff', 'pupil', 'guest'] as const satisfies readonly NetworkKind[];

/** A plain lower-case name of two labels or more: what a device asks, never a wildcard. */
const TEST_NAME_PATTERN = '^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });

export const CategorySource = Type.Object({
  name: Text(200),
  url: Type.Optional(Type.String({ pattern: '^https://', maxLength: 300 })),
  use: Text(200),
}, { additionalProperties: false });

export const CategoryDefinition = Type.Object({
  id: Id,
  title: Text(64),
  description: Text(300),
  severity: Severity,
  precedence: Type.Integer({ minimum: 1, maximum: 64, description: 'when several categories list a name, the block is reported under the lowest precedence; must follow severity' }),
  dispositions: Type.Object({
    staff: Disposition,
    pupil: Disposition,
    guest: Disposition,
    'school-devices': Disposition,
    management: Disposition,
  }, { additionalProperties: false, description: 'the default disposition on each kind of network' }),
  watch: Type.Optional(Type.Object({
    staff: Type.Optional(Type.Boolean()),
    pupil: Type.Optional(Type.Boolean()),
    guest: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false, description: 'allowed but each visit an alert, per shipped policy' })),
  starterList: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]*\\.txt$', description: 'the curated list beside this file: always <id>.txt' })),
  testName: Type.Optional(Type.String({
    minLength: 3, maxLength: 253, pattern: TEST_NAME_PATTERN,
    description: 'the name the filter self-test asks for this category: held by this category\'s starter list and by no other category\'s, so its answer shows this category\'s rule alone',
  })),
  overlaps: Type.Optional(Type.Array(Type.Object({
    name: Hostname,
    category: Id,
    reason: Text(300),
  }, { additionalProperties: false }), { maxItems: 32, description: 'entries of this list deliberately also covered by another category\'s list' })),
  sources: Type.Array(CategorySource, { minItems: 1, maxItems: 16 }),
  notes: Text(2000),
}, { additionalProperties: false });
export type CategoryDefinition = Static<typeof CategoryDefinition>;

/** One entry of a starter list. */
export interface StarterEntry {
  name: string;
  mode: NameMode;
  line: number;
}

export interface CatalogueIssue {
  /** The file, relative to the rules directory, e.g. categories/social.json. */
  file: string;
  /** A JSON pointer into a JSON file, or `line N` in a list; '' for the whole file. */
  path: string;
  message: string;
}

export class CatalogueError extends Error {
  readonly issues: CatalogueIssue[];
  constructor(dir: string, issues: CatalogueIssue[]) {
    super(`the shipped rules in ${dir} are not valid:\n${issues.map((i) => `${i.file}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}`);
    this.name = 'CatalogueError';
    this.issues = issues;
  }
}

export interface Catalogue {
  readonly dir: string;
  /** Every category, most severe first (bySeverity order). */
  readonly categories: ReadonlyMap<string, CategoryDefinition>;
  /** Category ids, most severe first: the order a block is reported in when several categories list a name. */
  readonly bySeverity: readonly string[];
  /** Each starter list's names, keyed by category id. */
  readonly starterNames: ReadonlyMap<string, readonly StarterEntry[]>;
  /** The file behind `builtin:ID`; throws for a category without a starter list. */
  builtinListPath(id: string): string;
  /** One enabled list subscription per starter list (file `builtin:ID`), most severe first. */
  builtinLists(): ListSource[];
  /** The shipped policies (staff, pupil, guest), fresh copies on every call. */
  defaultPolicies(): Policy[];
}

const checkCategory = Compile(CategoryDefinition);
const checkPolicy = Compile(Policy);

type Report = (file: string, path: string, message: string) => void;

/** Reads and validates a JSON file against `schema`; undefined (with issues reported) if it is not valid. */
function readJson<T>(dir: string, file: string, schema: TSchema, check: ReturnType<typeof Compile>, report: Report): T | undefined {
  const parsed = parseJsonText(readFileSync(join(dir, file), 'utf8'));
  if (!parsed.ok) {
    report(file, '', `not JSON: line ${parsed.line}, column ${parsed.column}: ${parsed.reason}`);
    return undefined;
  }
  if (!check.Check(parsed.value)) {
    for (const issue of schemaIssues(schema, parsed.value, check.Errors(parsed.value) as Iterable<SchemaError>)) report(file, issue.path, issue.message);
    return undefined;
  }
  return parsed.value as T;
}

const jsonFiles = (dir: string): string[] => existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

/**
 * Loads rules/categories/*.json, their starter lists and rules/policies/*.json, and checks every
 * rule the data must keep. Synchronous: it runs once at module load of the defaults, before any
 * service starts, and reads a few dozen small files. Throws CatalogueError listing every issue.
 */
export function loadCatalogue(dir: string = RULES_DIR): Catalogue {
  const issues: CatalogueIssue[] = [];
  const report: Report = (file, path, message) => { issues.push({ file, path, message }); };

  const categoriesDir = join(dir, 'categories');
  const loaded: CategoryDefinition[] = [];
  // Ids whose file is present but invalid: their own issues say why, so nothing that refers to
  // them (their list, the policies) reports them missing as well.
  const broken = new Set<string>();
  for (const name of jsonFiles(categoriesDir)) {
    const file = `categories/${name}`;
    const category = readJson<CategoryDefinition>(dir, file, CategoryDefinition, checkCategory, report);
    if (!category) {
      broken.add(name.slice(0, -'.json'.length));
      continue;
    }
    if (`${category.id}.json` !== name) report(file, '/id', `id "${category.id}" does not match the file name ${name}`);
    else loaded.push(category);
  }
  if (loaded.length === 0 && issues.length === 0) report('categories', '', 'no category files (*.json) found');

  const ordered = orderBySeverity(loaded, report);
  const starterNames = readStarterLists(dir, ordered, broken, report);
  checkOverlaps(ordered, starterNames, report);
  checkTestNames(ordered, starterNames, broken, report);
  const categories = new Map(ordered.map((c) => [c.id, c] as const));
  const policies = readPolicies(dir, categories, broken, report);
  if (issues.length > 0) throw new CatalogueError(dir, issues);

  const bySeverity = ordered.map((c) => c.id);
  return {
    dir,
    categories,
    bySeverity,
    starterNames,
    builtinListPath(id: string): string {
      const category = categories.get(id);
      if (!category?.starterList) throw new Error(`"${BUILTIN_PREFIX}${id}": no shipped category "${id}" has a starter list (known: ${[...starterNames.keys()].join(', ')})`);
      return join(categoriesDir, category.starterList);
    },
    builtinLists(): ListSource[] {
      return ordered.filter((c) => c.starterList).map((c) => ({
        id: `starter-${c.id}`, name: `Starter list: ${c.title}`, category: c.id,
        file: `${BUILTIN_PREFIX}${c.id}`, format: 'domains', enabled: true,
      }));
    },
    defaultPolicies(): Policy[] {
      return structuredClone(policies);
    },
  };
}

/** Sorts by precedence and checks that precedence is unique and never puts a milder category first. */
function orderBySeverity(categories: CategoryDefinition[], report: Report): CategoryDefinition[] {
  const sorted = [...categories].sort((a, b) => a.precedence - b.precedence);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1]!;
    const here = sorted[i]!;
    if (before.precedence === here.precedence) {
      report(`categories/${here.id}.json`, '/precedence', `precedence ${here.precedence} is also used by "${before.id}"`);
    } else if (SEVERITIES.indexOf(before.severity) > SEVERITIES.indexOf(here.severity)) {
      report(`categories/${here.id}.json`, '/precedence',
        `"${here.id}" (${here.severity}) must come before "${before.id}" (${before.severity}): precedence follows severity`);
    }
  }
  return sorted;
}

/** Parses each referenced starter list: no bad line, no repeated or redundant entry, no unreferenced file. */
function readStarterLists(dir: string, categories: readonly CategoryDefinition[], broken: ReadonlySet<string>, report: Report): Map<string, readonly StarterEntry[]> {
  const lists = new Map<string, readonly StarterEntry[]>();
  const referenced = new Set<string>();
  for (const category of categories) {
    if (!category.starterList) continue;
    const json = `categories/${category.id}.json`;
    if (category.starterList !== `${category.id}.txt`) {
      report(json, '/starterList', `must be "${category.id}.txt": builtin:${category.id} resolves to that file`);
      continue;
    }
    referenced.add(category.starterList);
    const file = `categories/${category.starterList}`;
    if (!existsSync(join(dir, file))) {
      report(json, '/starterList', `${file} does not exist`);
      continue;
    }
    // A starter list blocks names: no exception lines, every line a name.
    const parsed = parseListText(readFileSync(join(dir, file), 'utf8'), 'domains', { exceptions: false });
    for (const error of parsed.errors) report(file, `line ${error.line}`, error.message);
    const names: StarterEntry[] = [];
    for (const item of parsed.items) {
      if (item.type === 'name' && item.action === 'block') names.push({ name: item.name, mode: item.mode, line: item.line });
      else report(file, `line ${item.line}`, 'a starter list holds block names only');
    }
    // Should the reader fold repeats, it only counts them: say so rather than lose them.
    if (parsed.summary.duplicates > 0) report(file, '', `${parsed.summary.duplicates} entries are listed more than once`);
    if (names.length === 0) report(file, '', 'the list has no entries');
    checkWithinList(file, names, report);
    lists.set(category.id, names);
  }
  const categoriesDir = join(dir, 'categories');
  if (existsSync(categoriesDir)) {
    for (const name of readdirSync(categoriesDir).filter((f) => f.endsWith('.txt'))) {
      if (!referenced.has(name) && !broken.has(name.slice(0, -'.txt'.length))) report(`categories/${name}`, '', 'no category names this list (its starterList), so it would never be loaded');
    }
  }
  return lists;
}

/** Each entry once; and none under another entry of the same list, which would already cover it. */
function checkWithinList(file: string, names: readonly StarterEntry[], report: Report): void {
  const first = new Map<string, number>();
  const suffixes = new Set(names.filter((n) => n.mode === 'suffix').map((n) => n.name));
  for (const entry of names) {
    const key = `${entry.mode} ${entry.name}`;
    const seen = first.get(key);
    if (seen !== undefined) report(file, `line ${entry.line}`, `"${entry.name}" is already listed on line ${seen}`);
    else first.set(key, entry.line);
    const parent = parents(entry.name).find((p) => suffixes.has(p));
    if (parent !== undefined) report(file, `line ${entry.line}`, `"${entry.name}" is already covered by "${parent}" in the same list`);
  }
}

/** example.co.uk -> [co.uk, uk] */
function parents(name: string): string[] {
  const out: string[] = [];
  for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) out.push(name.slice(dot + 1));
  return out;
}

/** Whether list entry `outer` blocks name `inner` (suffix entries cover themselves and their subdomains). */
function covers(outer: StarterEntry, inner: string): boolean {
  if (outer.mode !== 'subdomains' && inner === outer.name) return true;
  return outer.mode !== 'exact' && inner.endsWith(`.${outer.name}`);
}

/**
 * A name in two categories' lists is reported under the more severe one and blocked when either
 * blocks: sometimes intended, never by accident. Every overlap must be noted in either
 * category's "overlaps", and every note must describe a real overlap.
 */
function checkOverlaps(categories: readonly CategoryDefinition[], lists: ReadonlyMap<string, readonly StarterEntry[]>, report: Report): void {
  const ids = new Set(categories.map((c) => c.id));
  const noted = new Set<string>();
  const key = (category: string, name: string, other: string): string => `${category} ${name} ${other}`;
  for (const c of categories) for (const o of c.overlaps ?? []) noted.add(key(c.id, o.name, o.category));
  const real = new Set<string>();
  for (const [aId, aNames] of lists) {
    for (const [bId, bNames] of lists) {
      if (aId >= bId) continue;
      for (const a of aNames) {
        for (const b of bNames) {
          if (!covers(a, b.name) && !covers(b, a.name)) continue;
          real.add(key(aId, a.name, bId)).add(key(bId, b.name, aId));
          if (noted.has(key(aId, a.name, bId)) || noted.has(key(bId, b.name, aId))) continue;
          report(`categories/${aId}.txt`, `line ${a.line}`,
            `"${a.name}" overlaps "${b.name}" in categories/${bId}.txt (line ${b.line}); remove one, or note it under "overlaps" in ${aId}.json`);
        }
      }
    }
  }
  for (const c of categories) {
    (c.overlaps ?? []).forEach((o, i) => {
      const at = pointer('overlaps', i);
      if (!ids.has(o.category)) report(`categories/${c.id}.json`, `${at}/category`, `no category "${o.category}"`);
      else if (!real.has(key(c.id, o.name, o.category))) {
        report(`categories/${c.id}.json`, at, `"${o.name}" is not in ${c.id}.txt overlapping a name in ${o.category}.txt: remove the stale note`);
      }
    });
  }
}

/**
 * A test name must be one its own starter list blocks (else the self-test would report a category
 * as working because of another) and no other category's list may hold it (else a block would
 * prove nothing about this category's rule: twitch.tv is blocked for pupils at lunch by gaming).
 */
function checkTestNames(categories: readonly CategoryDefinition[], lists: ReadonlyMap<string, readonly StarterEntry[]>, broken: ReadonlySet<string>, report: Report): void {
  for (const c of categories) {
    if (c.testName === undefined) continue;
    const file = `categories/${c.id}.json`;
    const own = lists.get(c.id);
    if (!c.starterList) {
      report(file, '/testName', 'a test name needs a starter list that holds it: without one, the provider\'s list is tested through its own testName in the configuration');
      continue;
    }
    if (own === undefined) continue; // the list's own issue says why
    if (!own.some((entry) => covers(entry, c.testName!))) report(file, '/testName', `"${c.testName}" is not blocked by any entry of ${c.starterList}`);
    for (const [other, entries] of lists) {
      if (other === c.id || broken.has(other)) continue;
      const hit = entries.find((entry) => covers(entry, c.testName!));
      if (hit) report(file, '/testName', `"${c.testName}" is also held by categories/${other}.txt (line ${hit.line}): choose a name only ${c.starterList} holds`);
    }
  }
}

/**
 * Reads rules/policies/<kind>.json for staff, pupil and guest. Each names every category, and
 * each rule's disposition and watch flag are the category's defaults for that kind of network:
 * the categories are the one source, the policies add what a category cannot (schedules,
 * groups, safe search).
 */
function readPolicies(dir: string, categories: ReadonlyMap<string, CategoryDefinition>, broken: ReadonlySet<string>, report: Report): Policy[] {
  const policies: Policy[] = [];
  const files = new Set(jsonFiles(join(dir, 'policies')));
  for (const name of files) {
    if (!(POLICY_KINDS as readonly string[]).includes(name.slice(0, -'.json'.length))) {
      report(`policies/${name}`, '', `unexpected policy file: the shipped policies are ${POLICY_KINDS.map((k) => `${k}.json`).join(', ')}`);
    }
  }
  for (const kind of POLICY_KINDS) {
    const file = `policies/${kind}.json`;
    if (!files.has(`${kind}.json`)) {
      report(file, '', 'missing: every shipped policy kind needs its file');
      continue;
    }
    const policy = readJson<Policy>(dir, file, Policy, checkPolicy, report);
    if (!policy) continue;
    if (policy.id !== kind) report(file, '/id', `id "${policy.id}" does not match the file name (expected "${kind}")`);
    for (const [id, rule] of Object.entries(policy.categories)) {
      const category = categories.get(id);
      const at = pointer('categories', id);
      if (!category) {
        if (!broken.has(id)) report(file, at, `no category "${id}" in categories/`);
        continue;
      }
      const expected = category.dispositions[kind];
      if (rule.disposition !== expected) {
        report(file, `${at}/disposition`, `is "${rule.disposition}", but categories/${id}.json gives ${kind} "${expected}"`);
      }
      const watch = category.watch?.[kind] === true;
      if ((rule.watch === true) !== watch) report(file, `${at}/watch`, `must be ${watch} to match categories/${id}.json`);
    }
    for (const id of categories.keys()) {
      if (!Object.hasOwn(policy.categories, id)) report(file, pointer('categories', id), 'missing: a shipped policy names every category, as the AUP table prints every row');
    }
    policies.push(policy);
  }
  return policies;
}
