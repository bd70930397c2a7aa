// `npm run build` from a script or a test: the firmware as JavaScript in dist/, the form the
// appliance runs (bin/schoolgate). The benchmarks build before they measure, and the test of the
// built form builds before it starts it, so neither depends on a build someone forgot.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { buildNative } from './build-native.ts';

const REPO = resolve(import.meta.dirname, '..');

/** dist/'s entry point. */
export const BUILT_MAIN = join(REPO, 'dist/firmware/main.js');

/** Builds dist/ and the netio addon, as `npm run build` does; throws with tsc's or cc's output if that fails. */
export function buildFirmware(): void {
  const native = buildNative();
  if (!native.built) console.warn(`netio: not built: ${native.reason}`);
  const tsc = join(REPO, 'node_modules/.bin/tsc');
  const result = spawnSync(tsc, ['-p', join(REPO, 'tsconfig.build.json')], { cwd: REPO, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
}
