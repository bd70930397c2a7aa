// The backup passphrase a technician chose (`schoolgate backup passphrase`), kept so the nightly
// backup can run with no one there. Chosen by a person rather than generated on the box: a key
// only the box knows dies with the box, which is exactly when the backup is needed. It is kept in
// secrets/ (0600, the daemon's user) and so travels inside every backup it encrypts.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../config/durable-file.ts';
import { checkPassphrase } from '../monitor/reports/export-seal.ts';

export const PASSPHRASE_FILE = 'secrets/backup-passphrase';

export async function readStoredPassphrase(dataDir: string): Promise<string | undefined> {
  try {
    const line = (await readFile(join(dataDir, PASSPHRASE_FILE), 'utf8')).split(/\r?\n/)[0] ?? '';
    return line === '' ? undefined : line;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function storePassphrase(dataDir: string, passphrase: string): Promise<void> {
  checkPassphrase(passphrase);
  if (/[\r\n]/.test(passphrase)) throw new Error('a passphrase is one line');
  await mkdir(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  await writeFileDurably(join(dataDir, PASSPHRASE_FILE), `${passphrase}\n`, { mode: 0o600 });
}
