// Debian's Chromium through playwright-core: never a downloaded browser. The flags keep it from
// calling out to Google's services, which this machine's closed network refuses. Playwright gives
// every launch a fresh, temporary profile of its own.
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.SCHOOLGATE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
