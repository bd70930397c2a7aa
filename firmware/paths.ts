// Where the firmware's own files are. It runs in two forms from the same checkout: as TypeScript
// (development and tests: `node firmware/main.ts`) and as the JavaScript `npm run build` writes to
// dist/ (`npm start`, the image, the benchmarks). The built form carries no type stripper in any
// thread, which is tens of MB per thread; see the README's "Memory". Both forms find rules/ and
// their worker modules through this file, so neither depends on where the other puts its files.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** True when running the built JavaScript (dist/firmware/…). */
export const BUILT = import.meta.url.endsWith('.js');

/** The checkout (or installed tree): the folder holding firmware/, rules/ and package.json. */
export const APP_ROOT = resolve(here, BUILT ? '../..' : '..');

/** rules/: the shipped categories, starter lists, policies and safe-search data. */
export const RULES_DIR = join(APP_ROOT, 'rules');

/**
 * The URL of a worker module that sits beside `callerUrl` (pass `import.meta.url`), in the same
 * form as the caller: `name` without its extension.
 */
export function siblingModule(callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.js') ? '.js' : '.ts'}`, callerUrl);
}
