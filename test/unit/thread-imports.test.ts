// Each worker thread pays for every module it loads: TypeBox alone is ~20 MB resident a thread
// (README, "Memory"). The threads that start from these entry modules need none of it, so their
// shapes live in *-schema.ts modules that only the main thread loads. This walks what each entry
// loads from the sources (test/support/import-walk.ts) and fails when a change brings TypeBox
// back into a thread. A dynamic import() loads only when its branch runs, so each one reached is
// listed instead.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadedBy as loadedFrom, STATIC_IMPORT } from '../support/import-walk.ts';

const FIRMWARE = fileURLToPath(new URL('../../firmware/', import.meta.url));
const loadedBy = (entry: string) => loadedFrom(FIRMWARE, entry);

describe('what each worker thread loads', () => {
  it.each([
    // compileLists imports the catalogue only for a builtin: list when it is given no paths; the
    // compiler thread is always given them (lists-manager resolves them on the main thread).
    ['the list compiler', 'rules/cached-compile-worker.ts', ['rules/load-lists.ts -> ./catalogue.ts']],
    ['the list import checker', 'rules/import-check-worker.ts', []],
    ['the DNS worker (dns.threads > 1)', 'dns/listen/dns-worker.ts', []],
    ['the query log writer', 'monitor/query-log/query-log-writer.ts', []],
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
