// Each worker thread pays for every module it loads: TypeBox alone is ~20 MB resident a thread
// (README, "Memory"). The threads that start from these entry modules need none of it, so their
// shapes live in *-schema.ts modules that only the main thread loads. This walks what each entry
// loads from the sources (an `import type` is erased; any other static import loads its module,
// even one whose names are all types) and fails when a change brings TypeBox back into a thread.
// A dynamic import() loads only when its branch runs, so each one reached is listed instead.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIRMWARE = fileURLToPath(new URL('../../firmware/', import.meta.url));

// `import x from`, `import {…} from`, `import * as`, `import 'side-effect'`, `export {…} from`,
// `export * from`; not `import type` / `export type`, which type stripping and tsc erase.
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type[\s{])(?:[\w*{][^;'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Loaded {
  /** Every module file the entry loads, as paths under firmware/. */
  modules: Set<string>;
  /** For each package loaded, the first module (under firmware/) that imports it. */
  packages: Map<string, string>;
  /** `module -> specifier` for each import() in those modules: loaded only when that code runs. */
  dynamic: string[];
}

function loadedBy(entry: string): Loaded {
  const modules = new Set<string>();
  const packages = new Map<string, string>();
  const dynamic: string[] = [];
  const pending = [resolve(FIRMWARE, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const name = relative(FIRMWARE, file);
    if (modules.has(name)) continue;
    modules.add(name);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(DYNAMIC_IMPORT)) dynamic.push(`${name} -> ${specifier}`);
    for (const [, specifier] of source.matchAll(STATIC_IMPORT)) {
      if (specifier!.startsWith('.')) pending.push(resolve(dirname(file), specifier!));
      else if (!specifier!.startsWith('node:')) {
        const pkg = specifier!.split('/').slice(0, specifier!.startsWith('@') ? 2 : 1).join('/');
        if (!packages.has(pkg)) packages.set(pkg, name);
      }
    }
  }
  return { modules, packages, dynamic };
}

describe('what each worker thread loads', () => {
  it.each([
    // compileLists imports the catalogue only for a builtin: list when it is given no paths; the
    // compiler thread is always given them (lists-manager resolves them on the main thread).
    ['the list compiler', 'rules/cached-compile-worker.ts', ['rules/load-lists.ts -> ./catalogue.ts']],
    ['the DNS worker (dns.threads > 1)', 'dns/listen/dns-worker.ts', []],
    ['the query log writer', 'monitor/query-log-writer.ts', []],
  ])('%s loads no TypeBox', (_thread, entry, dynamic) => {
    const loaded = loadedBy(entry);
    expect(loaded.modules.size).toBeGreaterThan(3);
    expect(loaded.packages.get('typebox'), `${entry} loads typebox through ${loaded.packages.get('typebox')}`).toBeUndefined();
    expect(loaded.dynamic).toEqual(dynamic);
  });

  it('sees TypeBox where the main thread loads it, so the check above can fail', () => {
    const { packages } = loadedBy('daemon.ts');
    expect(packages.has('typebox')).toBe(true);
    expect(loadedBy('dns/policy/explain-schema.ts').packages.get('typebox')).toBe('dns/policy/explain-schema.ts');
    // A value import whose names are all types still loads the module under type stripping.
    expect([...'import { type A } from "typebox";'.matchAll(STATIC_IMPORT)]).toHaveLength(1);
    expect([...'import type { A } from "typebox";\nexport type { B } from "typebox";'.matchAll(STATIC_IMPORT)]).toHaveLength(0);
  });
});
