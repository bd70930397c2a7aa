// Reading and checking a release file on disk: its head, the signature against the trusted keys,
// the payload's length and SHA-256, and whether this box may install it. Nothing is unpacked here.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseManifest } from './manifest-schema.ts';
import { checkInstallable, checkSignature, MAX_HEAD_BYTES, parseHead, ReleaseRefused, type InstallCheck, type ReleaseHead } from './release-format.ts';

/** The Ed25519 public keys in `dir` (*.pem); a key file that is not one is an error, not skipped. */
export async function loadTrustedKeys(dir: string): Promise<KeyObject[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.pem')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const keys: KeyObject[] = [];
  for (const name of names) {
    const key = createPublicKey(await readFile(join(dir, name)));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${join(dir, name)} is a ${key.asymmetricKeyType} key; release keys are Ed25519`);
    keys.push(key);
  }
  return keys;
}

export async function readReleaseHead(path: string): Promise<{ head: ReleaseHead; fileSize: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(size, MAX_HEAD_BYTES));
    await handle.read(buffer, 0, buffer.length, 0);
    return { head: parseHead(buffer), fileSize: size };
  } finally {
    await handle.close();
  }
}

export async function payloadSha256(path: string, start: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { start })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Everything short of unpacking: the head, the signature, the length, the hash, then whether
 * this box may install it. Throws ReleaseRefused with the first reason it may not.
 */
export async function verifyReleaseFile(path: string, trusted: readonly KeyObject[], check: InstallCheck): Promise<{ manifest: ReleaseManifest; head: ReleaseHead }> {
  const { head, fileSize } = await readReleaseHead(path);
  checkSignature(head, trusted);
  const { manifest } = head;
  const payloadSize = fileSize - head.payloadOffset;
  if (payloadSize < manifest.size) throw new ReleaseRefused('truncated', `the release file is truncated: ${payloadSize} of its ${manifest.size} payload bytes are there (copy it again)`);
  if (payloadSize > manifest.size) throw new ReleaseRefused('corrupt', `the release file has ${payloadSize - manifest.size} bytes more than its manifest signs`);
  const sha256 = await payloadSha256(path, head.payloadOffset);
  if (sha256 !== manifest.sha256) throw new ReleaseRefused('corrupt', `the release's payload does not match its signed SHA-256 (${sha256.slice(0, 12)}…, signed ${manifest.sha256.slice(0, 12)}…): the file was altered or damaged`);
  checkInstallable(manifest, check);
  return { manifest, head };
}
