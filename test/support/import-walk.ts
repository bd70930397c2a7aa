// What a module loads when it runs, read from the sources: the tests that guard the threads'
// footprint (thread-imports) and the module graph's shape (import-cycles) share this one reading.
// `import type` and `export type` are erased by type stripping and by tsc. Any other static
// import loads its module, even `import { type A } from …` whose names are all types: with
// verbatimModuleSyntax it is kept as `import {} from …`. A dynamic import() loads only when its
// code runs, so it is reported apart.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// `import x from`, `import {…} from`, `import * as`, `import 'side-effect'`, `export {…} from`,
// `export * from`; not `import type` / `export type`.
export const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type[\s{])(?:[\w*{][^;'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
export const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export interface StaticImport {
  specifier: string;
  /** The absolute file for a relative specifier; undefined for a package or a node: module. */
  file: string | undefined;
}

export interface ModuleImports {
  static: StaticImport[];
  /** Specifiers of import() calls. */
  dynamic: string[];
}

/** The imports of one module file. */
export function importsOf(file: string): ModuleImports {
  const source = readFileSync(file, 'utf8');
  const dynamic = [...source.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]!);
  const imports = [...source.matchAll(STATIC_IMPORT)].map(([, specifier]): StaticImport => ({
    specifier: specifier!,
    file: specifier!.startsWith('.') ? resolve(dirname(file), specifier!) : undefined,
  }));
  return { static: imports, dynamic };
}

/** The package a bare specifier names: `typebox/value` → typebox, `@scope/x/y` → @scope/x. */
export function packageOf(specifier: string): string {
  return specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

export interface Loaded {
  /** Every module file the entry loads, as paths relative to `root`. */
  modules: Set<string>;
  /** For each package loaded (not node: modules), the first module that imports it. */
  packages: Map<string, string>;
  /** `module -> specifier` for each import() in those modules: loaded only when that code runs. */
  dynamic: string[];
}

/** Everything `entry` (relative to `root`) loads through static imports. */
export function loadedBy(root: string, entry: string): Loaded {
  const modules = new Set<string>();
  const packages = new Map<string, string>();
  const dynamic: string[] = [];
  const pending = [resolve(root, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const name = relative(root, file);
    if (modules.has(name)) continue;
    modules.add(name);
    const imports = importsOf(file);
    for (const specifier of imports.dynamic) dynamic.push(`${name} -> ${specifier}`);
    for (const { specifier, file: target } of imports.static) {
      if (target !== undefined) pending.push(target);
      else if (!specifier.startsWith('node:')) {
        const pkg = packageOf(specifier);
        if (!packages.has(pkg)) packages.set(pkg, name);
      }
    }
  }
  return { modules, packages, dynamic };
}

/** Every .ts module under `root` (declaration files aside), as absolute paths, sorted. */
export function modulesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  walk(root);
  return out.sort();
}
