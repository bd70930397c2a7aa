// What a backup holds, read from the data directory. A list of what to take rather than of what
// to leave: a new file in the data dir is not swept into backups (or over a restored box) unseen.
//
// In:  config.json; state.db (accounts with their password hashes and TOTP secrets, devices,
//      leases, vouchers, alerts, reviews, incidents, the audit log: a consistent snapshot);
//      lists/ (imported and subscribed lists as downloaded); secrets/ (SMTP password, webhook
//      secret, the backup passphrase itself); tls/ (the web UI's certificate and key, so the
//      browsers that trusted it still do); voucher.key (without it no voucher issued before
//      works); branding/ (the logo); incidents/ (attached screenshots).
// Out: logs.db (the query log: kept only days by policy, a backup must not outlive that);
//      compiled/ and matcher.seed (rebuilt from lists/ at start); backups/ themselves;
//      restore-previous/; the control socket, the running marker and the setup code.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The configuration: read from the daemon's own file, restored as the data directory's config.json. */
export const CONFIG_PART = 'config.json';
/** Taken as they are (files, or directories walked), relative to the data directory. */
export const COPIED_ENTRIES = ['voucher.key', 'lists', 'secrets', 'tls', 'branding', 'incidents'] as const;
/** Snapshotted by the database's owner, never copied as a file that may be mid-write. */
export const STATE_PART = 'state.db';
/** Moved aside by a restore so the daemon rebuilds it from the restored lists. */
export const REBUILT_ENTRIES = ['compiled', 'matcher.seed'] as const;
/** What a restore replaces (and keeps in restore-previous/): everything a backup holds, and what is rebuilt from it. */
export const RESTORED_ENTRIES = [CONFIG_PART, ...COPIED_ENTRIES, STATE_PART, `${STATE_PART}-wal`, `${STATE_PART}-shm`, ...REBUILT_ENTRIES] as const;

/** A part still on disk: read a piece at a time when the backup is sealed, never whole. */
export interface PartFile {
  name: string;
  path: string;
  size: number;
}

async function walk(root: string, rel: string, out: PartFile[]): Promise<void> {
  const abs = join(root, rel);
  const info = await lstat(abs).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (info === undefined) return;
  if (info.isDirectory()) {
    const names = (await readdir(abs)).filter((n) => !n.startsWith('.')).sort();
    for (const name of names) await walk(root, `${rel}/${name}`, out);
  } else if (info.isFile()) {
    out.push({ name: rel, path: abs, size: info.size });
  }
  // Sockets, links and devices are not data: a link could point anywhere on the box.
}

/** Every copied part present in the data directory, in a stable order. */
export async function listCopiedParts(dataDir: string): Promise<PartFile[]> {
  const out: PartFile[] = [];
  for (const entry of COPIED_ENTRIES) await walk(dataDir, entry, out);
  return out;
}
