// The one gate every configuration document passes: on load, before every write, and for
// `schoolgate config validate`. Schema first, then the semantic rules, all issues in one list.
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { keywordListIds } from '../monitor/alerts/alert-rules-config.ts';
import { loadCatalogue } from '../rules/catalogue.ts';
import { ConfigError, type ConfigIssue } from './issues.ts';
import { Config } from './schema.ts';
import { schemaIssues, type SchemaError } from './schema-issues.ts';
import { semanticIssues, type CheckedSections, type KnownCategories } from './semantic.ts';

export { ConfigError };
export type { ConfigIssue };

export type Validation = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

const compiled = Compile(Config);
const sectionNames = Object.keys(Config.properties) as (keyof Config)[];

// The shipped catalogue and keyword lists' names, read once on first use (a few dozen small files).
let shipped: KnownCategories | undefined;
const shippedCategories = (): KnownCategories => (shipped ??= { categories: loadCatalogue().categories, keywordLists: keywordListIds() });

/** `known` is the catalogue the category names are checked against: the shipped one unless a test says otherwise. */
export function validateConfig(doc: unknown, known: KnownCategories = shippedCategories()): Validation {
  const schemaOk = compiled.Check(doc);
  const issues = schemaOk ? [] : schemaIssues(Config, doc, compiled.Errors(doc) as Iterable<SchemaError>);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, issues };
  // Semantic rules read only the sections that passed the schema (see semantic.ts).
  const record = doc as Record<string, unknown>;
  const checked: CheckedSections = {};
  for (const name of sectionNames) {
    if (schemaOk || (Object.hasOwn(record, name) && Value.Check(Config.properties[name], record[name]))) {
      (checked as Record<string, unknown>)[name] = record[name];
    }
  }
  issues.push(...semanticIssues(checked, known));
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, config: doc as Config };
}

/** validateConfig, throwing a ConfigError labelled with `source` when the document is not valid. */
export function assertValidConfig(doc: unknown, source: string): Config {
  const result = validateConfig(doc);
  if (!result.ok) throw new ConfigError(source, result.issues);
  return result.config;
}
