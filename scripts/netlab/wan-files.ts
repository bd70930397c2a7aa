// Files a test publishes on the fake internet: nginx in `wan` (services.ts) serves LAB_DIR/www on
// every wan web address, so a file written there is at http://198.51.100.80/<path>. A list feed's
// test changes its file while the gateway may be downloading it, so each file is replaced in one
// rename: nginx serves the old file or the new one, never half of either. nginx gives static
// files an ETag and a Last-Modified, so conditional downloads work as against a real feed host.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { INTERNET } from './addresses.ts';

/** The directory services.ts gives nginx as its root (`root = join(dir, 'www')`). */
export function wanSiteRoot(labDir: string): string {
  return join(labDir, 'www');
}

/** The URL path as a file under the site root; refuses anything that would climb out of it. */
function sitePath(labDir: string, urlPath: string): string {
  if (!urlPath.startsWith('/') || urlPath.endsWith('/')) throw new Error(`a wan file path starts with "/" and names a file: ${urlPath}`);
  const relative = normalize(urlPath.slice(1));
  if (relative.startsWith('..') || relative.split('/').includes('..')) throw new Error(`a wan file path stays inside the site: ${urlPath}`);
  return join(wanSiteRoot(labDir), relative);
}

/** Publishes (or replaces, atomically) the file nginx serves at `urlPath`. */
export async function publishWanFile(labDir: string, urlPath: string, content: string | Uint8Array): Promise<void> {
  const file = sitePath(labDir, urlPath);
  await mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.publish-${randomBytes(6).toString('hex')}`);
  await writeFile(temp, content);
  await rename(temp, file);
}

/** Takes a published file away: nginx answers 404 for it from now on. */
export async function removeWanFile(labDir: string, urlPath: string): Promise<void> {
  await rm(sitePath(labDir, urlPath), { force: true });
}

/** Where the gateway (or any lab namespace) downloads a published file. */
export function wanFileUrl(urlPath: string, options: { address?: string; scheme?: 'http' | 'https' } = {}): string {
  const scheme = options.scheme ?? 'http';
  return `${scheme}://${options.address ?? INTERNET.web}${urlPath}`;
}
