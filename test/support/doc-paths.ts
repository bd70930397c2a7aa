// The repository paths a Markdown page names, so a test can hold the README and docs/ to the tree.
// Pure: it takes the page's text and the names at the repository's top level, and reads no file.
//
// A path is named in code (`firmware/dns/pipeline.ts`, a fenced command's `bin/schoolgate`) or as a
// relative link target. A token counts as a repository path when its first segment is a top-level
// entry of the repository (`firmware/…`, `.ci/run`), or when it looks like a source file with a
// folder in front (`dns/stage.ts`): a shortened path is exactly what goes stale when files move,
// so it is reported rather than skipped. Absolute paths, URLs and placeholders (`DATA_DIR/…`) are
// not the repository's.

export interface NamedPath {
  /** The path as the page spells it, without a leading "./". */
  path: string;
  /** 1-based line of the page. */
  line: number;
  /** A link target is relative to the page's own folder; code names paths from the repository root. */
  relativeToPage: boolean;
  /** A link's `#fragment`, without the '#': a heading of the page linked to. */
  anchor?: string;
}

const SOURCE_FILE = /\.(ts|js|c|h|md|json|txt|sh|service|conf)$/;
const PATH_TOKEN = /^\.?[a-z0-9_][a-z0-9_.@-]*(\/[a-z0-9_.@-]+)*\/?$/i;

/** Trailing punctuation that ends a sentence or a list rather than a path. */
function trimToken(token: string): string {
  return token.replace(/^[("'[]+/, '').replace(/[)"',;:.\]]+$/, '');
}

function candidate(raw: string, topLevel: ReadonlySet<string>): string | undefined {
  let token = trimToken(raw);
  if (token.startsWith('./')) token = token.slice(2);
  if (!token.includes('/') || !PATH_TOKEN.test(token)) return undefined;
  const first = token.split('/')[0]!;
  if (topLevel.has(first)) return token;
  // A placeholder such as DATA_DIR/lists/ is upper case; a real folder of ours never is.
  if (first !== first.toLowerCase()) return undefined;
  return SOURCE_FILE.test(token) ? token : undefined;
}

/** Every repository path the page names in code spans, fenced blocks and relative links. */
export function namedPaths(markdown: string, topLevel: ReadonlySet<string>): NamedPath[] {
  const found: NamedPath[] = [];
  const lines = markdown.split('\n');
  let fenced = false;
  lines.forEach((text, index) => {
    const line = index + 1;
    if (/^\s*```/.test(text)) {
      fenced = !fenced;
      return;
    }
    const codes = fenced ? [text] : [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    for (const code of codes) {
      for (const raw of code.split(/\s+/)) {
        const path = candidate(raw, topLevel);
        if (path !== undefined) found.push({ path, line, relativeToPage: false });
      }
    }
    if (fenced) return;
    for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/i.test(target) || target.startsWith('/')) continue;
      const anchor = m[2]?.slice(1);
      found.push({ path: target.replace(/^\.\//, ''), line, relativeToPage: true, ...(anchor ? { anchor } : {}) });
    }
  });
  return found;
}

/** The anchors of a page's headings, as GitHub makes them: lower case, punctuation dropped, spaces to '-'. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const text of markdown.split('\n')) {
    if (/^\s*```/.test(text)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(text);
    if (heading) anchors.add(heading[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return anchors;
}
