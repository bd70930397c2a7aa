// The browser project drives Debian's Chromium; without it the project fails here, loudly,
// instead of reporting zero tests as a pass. The package is the [browser] group of
// scripts/prerequisites/debian-packages.txt, which `npm test` installs.
import { accessSync, constants } from 'node:fs';

import { buildWebui } from '../../scripts/build-webui.ts';
import { missingWithRemedy } from '../../scripts/prerequisites.ts';
import { CHROMIUM } from '../support/browser.ts';

export default async function setup(): Promise<void> {
  // SCHOOLGATE_CHROMIUM names another build: then that file is the prerequisite, not the package.
  if (process.env.SCHOOLGATE_CHROMIUM === undefined) {
    const missing = missingWithRemedy(['browser']);
    if (missing !== undefined) throw new Error(`the browser tests cannot run on this machine; missing:\n  - ${missing.lines.join('\n  - ')}\n${missing.remedy}`);
  }
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`browser tests need Chromium at ${CHROMIUM}: it is not an executable file (SCHOOLGATE_CHROMIUM names it; unset, Debian's chromium package)`);
  }
  // Once for the whole project: its files run side by side, and a rebuild empties webui/dist
  // under the daemons of the others.
  await buildWebui({ quiet: true });
}
