// TypeBox's raw errors, reshaped for a person: one issue per problem, pointing at the offending
// member. Raw output repeats itself (an unknown property is reported twice; a bad union value
// once per alternative plus once for the union) and says "must match pattern ^[a-z]..." where
// the schema carries a readable description.
import type { TSchema } from 'typebox';
import { describeValue, pointer, pointerTokens, valueAt, type ConfigIssue } from './issues.ts';

/** The fields of a TypeBox 1.x error that this module reads. */
export interface SchemaError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

type SchemaNode = Record<string, unknown>;

function schemaAt(root: TSchema, schemaPath: string): SchemaNode | undefined {
  const path = schemaPath.startsWith('#') ? schemaPath.slice(1) : schemaPath;
  let node: unknown = root;
  for (const token of pointerTokens(path)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as SchemaNode)[token];
  }
  return node !== null && typeof node === 'object' ? (node as SchemaNode) : undefined;
}

const isUnder = (schemaPath: string, unionPath: string): boolean => schemaPath.startsWith(`${unionPath}/anyOf/`);

function unionMessage(schema: SchemaNode | undefined, value: unknown): string {
  const options = Array.isArray(schema?.anyOf) ? (schema.anyOf as SchemaNode[]) : [];
  if (options.length > 0 && options.every((o) => 'const' in o)) {
    return `must be one of ${options.map((o) => JSON.stringify(o.const)).join(', ')} (got ${describeValue(value)})`;
  }
  return `does not match any allowed form (got ${describeValue(value)})`;
}

const typeNames: Record<string, string> = {
  integer: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false',
  object: 'an object', array: 'an array', null: 'null',
};

function plainMessage(root: TSchema, error: SchemaError, value: unknown): string {
  const schema = schemaAt(root, error.schemaPath);
  switch (error.keyword) {
    case 'type':
      return `must be ${typeNames[String(error.params.type)] ?? String(error.params.type)} (got ${describeValue(value)})`;
    case 'pattern':
    case 'format':
      return typeof schema?.description === 'string'
        ? `is not valid: expected ${schema.description} (got ${describeValue(value)})`
        : `${error.message} (got ${describeValue(value)})`;
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)} (got ${describeValue(value)})`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
      return `${error.message} (got ${describeValue(value)})`;
    default:
      return error.message;
  }
}

/** Converts TypeBox errors for `doc` against `root` into issues, in the order TypeBox found them. */
export function schemaIssues(root: TSchema, doc: unknown, errors: Iterable<SchemaError>): ConfigIssue[] {
  const all = [...errors];
  const unions = all.filter((e) => e.keyword === 'anyOf');
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string): void => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ path, message });
  };
  for (const error of all) {
    // Alternatives of a failed union are summarised by the union's own error.
    if (unions.some((u) => u !== error && isUnder(error.schemaPath, u.schemaPath))) continue;
    // `additionalProperties: false` yields a "schema is false" error per property as well as the
    // summary below; the summary names the property, so keep only it.
    if (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties')) continue;
    const base = error.instancePath;
    switch (error.keyword) {
      case 'required':
        for (const name of (error.params.requiredProperties as string[] | undefined) ?? []) {
          add(base + pointer(name), `required property "${name}" is missing`);
        }
        break;
      case 'additionalProperties': {
        // In a record (patternProperties) the member names are data, e.g. category ids: say
        // what a valid name looks like rather than calling it unknown.
        const isRecord = schemaAt(root, error.schemaPath)?.patternProperties !== undefined;
        for (const name of (error.params.additionalProperties as string[] | undefined) ?? []) {
          add(base + pointer(name), isRecord
            ? `name "${name}" is not a lower-case id (letters, digits, dashes; starts with a letter; at most 32 characters)`
            : `unknown property "${name}" (not part of the configuration schema; misspelt?)`);
        }
        break;
      }
      case 'anyOf':
        add(base, unionMessage(schemaAt(root, error.schemaPath), valueAt(doc, base)));
        break;
      default:
        add(base, plainMessage(root, error, valueAt(doc, base)));
    }
  }
  return issues;
}
