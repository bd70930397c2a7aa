// The browser project drives Debian's Chromium; without it the project fails here, loudly,
// instead of reporting zero tests as a pass.
import { accessSync, constants } from 'node:fs';

import { CHROMIUM } from '../support/browser.ts';

export default function setup(): void {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`browser tests need Chromium at ${CHROMIUM}: apt-get install chromium (or set SCHOOLGATE_CHROMIUM)`);
  }
}
