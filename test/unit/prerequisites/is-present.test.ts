// How a proof is looked for on this machine: an absolute path must exist; a program must be an
// executable file in a PATH directory (or a system sbin directory).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPresent } from '../../../scripts/prerequisites.ts';

const dir = mkdtempSync(join(tmpdir(), 'schoolgate-prereq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('isPresent', () => {
  it('finds an executable program in a PATH directory, and not a plain file of that name', () => {
    writeFileSync(join(dir, 'sg-probe-tool'), '#!/bin/sh\n');
    writeFileSync(join(dir, 'sg-probe-data'), '');
    chmodSync(join(dir, 'sg-probe-tool'), 0o755);
    chmodSync(join(dir, 'sg-probe-data'), 0o644);
    expect(isPresent('sg-probe-tool', `/nonexistent:${dir}`)).toBe(true);
    expect(isPresent('sg-probe-tool', '/nonexistent')).toBe(false);
    // Root passes an X_OK check on any file with an execute bit; a file with none is not a program for anyone.
    expect(isPresent('sg-probe-data', dir)).toBe(false);
  });

  it('looks in the sbin directories even when PATH lacks them', () => {
    expect(isPresent('sh', '')).toBe(true);
  });

  it('takes an absolute proof as a file that must exist', () => {
    expect(isPresent(join(dir, 'sg-probe-data'), '')).toBe(true);
    expect(isPresent(join(dir, 'not-there'), '')).toBe(false);
  });
});
