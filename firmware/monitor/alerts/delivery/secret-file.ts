// The SMTP password and the webhook's signing key live in files the configuration names, never in
// the configuration itself (which `schoolgate config show` prints and backups copy in the clear).
// A secret anyone on the box could read is no secret: such a file is refused, with the fix.
import { open } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

export class SecretFileError extends Error {}

/** An absolute path as it is; a relative one from the data directory. */
export const secretPath = (file: string, dataDir: string): string => (isAbsolute(file) ? file : resolve(dataDir, file));

/**
 * The secret in `file`, without its trailing line break (an editor adds one; `echo` too). Refuses
 * a file group or others may read or write, an empty one, and anything but a regular file.
 */
export async function readSecretFile(file: string, dataDir: string, what: string): Promise<string> {
  const path = secretPath(file, dataDir);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new SecretFileError(`cannot read the ${what} file ${path}: ${why}`);
  }
  try {
    // Checked on the open file, so the file read is the file checked.
    const stat = await handle.stat();
    if (!stat.isFile()) throw new SecretFileError(`the ${what} file ${path} is not a regular file`);
    if ((stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new SecretFileError(`the ${what} file ${path} is open to group or others (mode ${mode}): run chmod 600 ${path}`);
    }
    if (stat.size > 4096) throw new SecretFileError(`the ${what} file ${path} is ${stat.size} bytes: a secret is one line`);
    const secret = (await handle.readFile('utf8')).replace(/\r?\n$/, '');
    if (secret === '') throw new SecretFileError(`the ${what} file ${path} is empty`);
    if (/[\r\n]/.test(secret)) throw new SecretFileError(`the ${what} file ${path} has more than one line: a secret is one line`);
    return secret;
  } finally {
    await handle.close();
  }
}
