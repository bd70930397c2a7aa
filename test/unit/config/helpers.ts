// Shared by the configuration tests: a private temporary directory per test and small readers.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

// The benchmark's seeded PRNG (mulberry32): the same seed gives the same kill times.
export { seededRandom } from '../../../scripts/bench/dns/workload.ts';

const made: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'schoolgate-config-'));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function tempFilesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.includes('.tmp-'));
}


