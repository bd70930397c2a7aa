// Text -> Config: parse, migrate, validate. Pure (no files), so the store, the CLI's
// `config validate` and the tests share exactly one path from bytes to a usable document.
import { parseJsonText } from './json-text.ts';
import { ConfigError } from './issues.ts';
import { migrateConfig } from './migrations.ts';
import type { Config } from './schema.ts';
import { validateConfig } from './validate.ts';

export interface LoadedConfig {
  config: Config;
  /** The version the text was written in, and the version `config` now has. */
  from: number;
  to: number;
  /** Descriptions of the migration steps applied; empty when the text was current. */
  applied: string[];
}

/** Throws ConfigError (labelled with `source`) when the text is not a usable configuration. */
export function loadConfigText(text: string, source: string): LoadedConfig {
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    throw new ConfigError(source, [{ path: '', message: `invalid JSON at line ${parsed.line}, column ${parsed.column}: ${parsed.reason}` }]);
  }
  const migrated = migrateConfig(parsed.value, source);
  const result = validateConfig(migrated.doc);
  if (!result.ok) throw new ConfigError(source, result.issues);
  return { config: result.config, from: migrated.from, to: migrated.to, applied: migrated.applied };
}

/** The on-disk form: two-space JSON with a final newline, pleasant to read and to diff. */
export function serializeConfig(config: Config): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
