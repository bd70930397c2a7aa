// How every configuration problem is reported: a JSON pointer into the document plus a reason, so
// a technician editing config.json by hand (or the web UI highlighting a field) finds the spot.

export interface ConfigIssue {
  /** A JSON pointer (RFC 6901) into the document; '' is the whole document. */
  path: string;
  message: string;
}

/** Thrown for any document that cannot be used: the message lists every issue, one per line. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  /** Where the document came from: a file name, or a label such as "update". */
  readonly source: string;

  constructor(source: string, issues: ConfigIssue[]) {
    super(issues.map((issue) => `${source}: ${issue.path || '/'}: ${issue.message}`).join('\n'));
    this.name = 'ConfigError';
    this.source = source;
    this.issues = issues;
  }
}

const escapeToken = (token: string | number): string => String(token).replaceAll('~', '~0').replaceAll('/', '~1');

/** pointer('networks', 0, 'id') === '/networks/0/id' */
export function pointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => `/${escapeToken(t)}`).join('');
}

export function pointerTokens(path: string): string[] {
  if (path === '') return [];
  return path.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The value a pointer names, or undefined when the path does not exist. */
export function valueAt(doc: unknown, path: string): unknown {
  let node = doc;
  for (const token of pointerTokens(path)) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, token)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

/** A short rendering of a value for a message: long strings and structures are abbreviated. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
