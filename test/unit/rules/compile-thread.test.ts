// The list compiler's thread starts once per reload, so what it loads is on every reload's path:
// TypeBox alone took ~130 ms of a 1M-name reload. These keep it out, and keep both ways of naming
// a shipped list's file working.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { loadCatalogue } from '../../../firmware/rules/catalogue.ts';
import { compileLists, listPath } from '../../../firmware/rules/load-lists.ts';

const FIRMWARE = resolve(import.meta.dirname, '../../../firmware');

/** Every package a module loads at run time, following its relative imports (`import type` is erased). */
function runtimePackages(entry: string): Map<string, string> {
  const found = new Map<string, string>();
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) stack.push(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:')) found.set(spec, file.slice(FIRMWARE.length + 1));
    }
  }
  return found;
}

describe('the list compiler thread', () => {
  it('loads no TypeBox (nor any other package)', () => {
    expect(Object.fromEntries(runtimePackages(join(FIRMWARE, 'rules/cached-compile-worker.ts')))).toEqual({});
  });

  it('compiles the shipped lists from the paths it is given, or finds them in the catalogue itself', async () => {
    const config = defaultConfig();
    const catalogue = loadCatalogue();
    const given = await compileLists(config, { listsDir: '/nonexistent', seed: 5, pathOf: (list) => listPath(list, '/nonexistent', () => catalogue) });
    const found = await compileLists(config, { listsDir: '/nonexistent', seed: 5 });
    expect(found.matcher.size).toBeGreaterThan(0);
    expect(found.matcher.size).toBe(given.matcher.size);
    expect(found.statuses).toEqual(given.statuses);
  });
});
