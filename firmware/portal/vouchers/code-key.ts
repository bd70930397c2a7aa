// The key voucher codes are hashed with. A code is stored as HMAC-SHA256(key, code): a copy of
// state.db (a backup, a subject-access export) lets no one sign in, and without the key the
// hashes cannot be tried against the code space offline. The key lives beside state.db, 0600.
import { createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../../config/durable-file.ts';

export const CODE_KEY_FILE = 'voucher.key';

export async function loadCodeKey(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, CODE_KEY_FILE);
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${file} is not a voucher key (64 hex digits); every voucher issued with it is unusable without it`);
    return Buffer.from(text, 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  await writeFileDurably(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  return key;
}

/** The stored form of a compact code (parseCode's output). */
export function hashCode(key: Buffer, compactCode: string): string {
  return createHmac('sha256', key).update(compactCode).digest('hex');
}
