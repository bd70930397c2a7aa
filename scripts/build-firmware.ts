// `npm run build` from a script or a test: the firmware as JavaScript in dist/, the form the
// appliance runs (bin/schoolgate). The benchmarks build before they measure, and the test of the
// built form builds before it starts it, so neither depends on a build someone forgot.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');

/** dist/'s entry point. */
export const BUILT_MAIN = join(REPO, 'dist/firmware/main.js');

/** Builds dist/ from the sources (about a second); throws with tsc's output if that fails. */
export function buildFirmware(): void {
  const tsc = join(REPO, 'node_modules/.bin/tsc');
  const result = spawnSync(tsc, ['-p', join(REPO, 'tsconfig.build.json')], { cwd: REPO, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
}
