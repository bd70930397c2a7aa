// Debian's Chromium as a device on a lab network: playwright-core launches a tiny wrapper that
// enters the namespace and execs the real browser, so the browser's every packet (DNS included,
// via the namespace's resolv.conf) comes from that device.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface LabBrowserOptions {
  /** Trust the lab's site certificate (by its SPKI hash) so HTTPS pages load without errors. */
  spkiSha256?: string;
  /** Extra Chromium flags, e.g. `--host-resolver-rules=...`. */
  args?: string[];
  launch?: Omit<LaunchOptions, 'executablePath' | 'args'>;
}

export async function launchChromiumIn(realNs: string, dir: string, o: LabBrowserOptions = {}): Promise<Browser> {
  const wrapper = join(dir, `chromium-${realNs}.sh`);
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${realNs} ${CHROMIUM} "$@"\n`);
  await chmod(wrapper, 0o755);
  // playwright's launch() gives every browser a fresh profile of its own (and refuses --user-data-dir).
  const args = [...CHROMIUM_ARGS, ...(o.args ?? [])];
  if (o.spkiSha256) args.push(`--ignore-certificate-errors-spki-list=${o.spkiSha256}`);
  return chromium.launch({ headless: true, timeout: 30_000, ...o.launch, executablePath: wrapper, args });
}
