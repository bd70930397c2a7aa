// The README and docs/ name files and folders for a newcomer to open; when files move, those names
// go stale silently. This holds every path they name to the tracked tree.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headingAnchors, namedPaths } from '../support/doc-paths.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Folders that `npm run build`, `npm start` and `npm ci` make: named by the docs, never tracked. */
const GENERATED = ['dist', 'build', '.schoolgate', 'node_modules', 'webui/dist'];
const generated = (path: string): boolean => GENERATED.some((g) => path === g || path.startsWith(`${g}/`));

// Tracked files and new ones not yet added (but not ignored ones), as long as they are on disk: a
// page may name a file in the same commit that adds it, never one that only this machine has.
const tracked: string[] = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && existsSync(join(root, f)));
const files = new Set(tracked);
const folders = new Set(tracked.flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
const topLevel = new Set([...tracked.map((f) => f.split('/')[0]!), ...GENERATED.filter((g) => !g.includes('/'))]);

function exists(path: string): boolean {
  const bare = path.replace(/\/$/, '');
  return path.endsWith('/') ? folders.has(bare) : files.has(bare) || folders.has(bare);
}

const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('paths named by the README and docs/', () => {
  it('finds the pages, and paths in them', () => {
    expect(pages).toContain('docs/benchmarks.md');
    expect(pages).toContain('docs/design.md');
    const named = namedPaths(readFileSync(join(root, 'README.md'), 'utf8'), topLevel);
    expect(named.map((n) => n.path)).toContain('firmware/dns/pipeline.ts');
  });

  it.each(pages)('every path %s names exists in the repository', (page) => {
    const text = readFileSync(join(root, page), 'utf8');
    const missing = namedPaths(text, topLevel)
      .map((n) => ({ ...n, path: n.relativeToPage ? normalize(join(dirname(page), n.path)) : n.path }))
      .filter((n) => !generated(n.path) && !exists(n.path))
      .map((n) => `${page}:${n.line}: ${n.path}`);
    expect(missing).toEqual([]);
  });

  it.each(pages)('every #anchor %s links to is a heading there', (page) => {
    const text = readFileSync(join(root, page), 'utf8');
    const broken = namedPaths(text, topLevel)
      .filter((n) => n.anchor !== undefined && n.path.endsWith('.md'))
      .filter((n) => {
        const target = normalize(join(dirname(page), n.path));
        return !existsSync(join(root, target)) || !headingAnchors(readFileSync(join(root, target), 'utf8')).has(n.anchor!);
      })
      .map((n) => `${page}:${n.line}: ${n.path}#${n.anchor}`);
    expect(broken).toEqual([]);
  });

  it.each(pages)('%s sends no reader outside the repository', (page) => {
    const text = readFileSync(join(root, page), 'utf8');
    expect(text).not.toMatch(/\/work\/|\.\.\/shared\b|\b(?:ARCHITECTURE|FINDINGS|POLICY-NOTES)\.md\b/);
  });

  it('names a generated folder only where .gitignore keeps it out of the tree', () => {
    const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n').map((l) => l.trim().replace(/^\//, '').replace(/\/$/, ''));
    for (const name of GENERATED) expect(ignored).toContain(name);
    for (const name of GENERATED) expect(tracked.some((f) => f.startsWith(`${name}/`))).toBe(false);
  });
});

describe('namedPaths', () => {
  const top = new Set(['firmware', 'test', '.ci', 'docs']);
  const paths = (text: string): string[] => namedPaths(text, top).map((n) => n.path);

  it('takes repository paths from code spans, fenced blocks and relative links', () => {
    const text = [
      'The order is in `firmware/dns/pipeline.ts`; CI runs `.ci/run`.',
      '```sh',
      'node firmware/main.ts status   # see test/unit/',
      '```',
      'See [the benchmarks](docs/benchmarks.md#p99) and [Node](https://nodejs.org/).',
    ].join('\n');
    expect(paths(text)).toEqual(['firmware/dns/pipeline.ts', '.ci/run', 'firmware/main.ts', 'test/unit/', 'docs/benchmarks.md']);
  });

  it('reports a shortened source path, the kind that goes stale when files move', () => {
    expect(paths('the stage contract (`dns/stage.ts`)')).toEqual(['dns/stage.ts']);
  });

  it('leaves out absolute paths, URLs, placeholders, addresses and prose', () => {
    const text = [
      '`/etc/schoolgate/config.json`, `DATA_DIR/lists/`, `127.20.0.0/16`, `block/allow`,',
      '`http://127.0.0.1:8080/metrics`, `journalctl -u schoolgate -o cat | jq`',
    ].join('\n');
    expect(paths(text)).toEqual([]);
  });

  it("keeps a link's anchor, and makes heading anchors as GitHub does", () => {
    expect(namedPaths('[m](docs/benchmarks.md#the-p99-tail)', top)[0]?.anchor).toBe('the-p99-tail');
    expect(headingAnchors('# Title\n## Batched UDP: what the netio addon saves\n```\n# not a heading\n```\n')).toEqual(
      new Set(['title', 'batched-udp-what-the-netio-addon-saves']),
    );
  });

  it('gives the line each path is named on', () => {
    expect(namedPaths('one\ntwo `firmware/a.ts`\n', top)).toEqual([{ path: 'firmware/a.ts', line: 2, relativeToPage: false }]);
  });
});
