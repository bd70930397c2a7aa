// A staged tree (stage.ts) into a signed release file (docs/release-format.md): the tree as a tar
// (gzip-compressed unless asked not to), after a head whose manifest names the tar's SHA-256 and
// length and is signed with the release key (Ed25519).
import { spawn } from 'node:child_process';
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ReleaseManifest } from '../../firmware/upgrade/manifest-schema.ts';
import { encodeHead, keyIdOf } from '../../firmware/upgrade/release-format.ts';
import type { ReleaseVersion } from './stage.ts';

export interface PackOptions {
  stageDir: string;
  out: string;
  privateKey: KeyObject;
  /** Default: the release's own version (it replaces only itself or older with --force). */
  minFromVersion?: string;
  notes?: string;
  /** gzip (the default) for shipping; none for tests, which pack several releases quickly. */
  compression?: 'gzip' | 'none';
}

async function writeTar(stageDir: string, file: string, gzip: boolean): Promise<void> {
  // Owned by root whoever builds it: the box unpacks it as root with --no-same-owner anyway.
  const tar = spawn('tar', ['-c', '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '-C', stageDir, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => tar.on('close', resolve));
  await (gzip ? pipeline(tar.stdout, createGzip({ level: 6 }), createWriteStream(file)) : pipeline(tar.stdout, createWriteStream(file)));
  const code = await exited;
  if (code !== 0) throw new Error(`tar of ${stageDir} failed (${code}): ${stderr}`);
}

/** Writes the release file `out`; returns its manifest. */
export async function packRelease(options: PackOptions): Promise<ReleaseManifest> {
  const info = JSON.parse(await readFile(`${options.stageDir}/VERSION`, 'utf8')) as ReleaseVersion;
  const compression = options.compression ?? 'gzip';
  const payload = `${options.out}.payload-${process.pid}`;
  const partial = `${options.out}.partial-${process.pid}`;
  try {
    await writeTar(options.stageDir, payload, compression === 'gzip');
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(payload)) hash.update(chunk as Buffer);
    const manifest: ReleaseManifest = {
      format: 1,
      version: info.version,
      arch: info.arch,
      sha256: hash.digest('hex'),
      size: (await stat(payload)).size,
      compression,
      minFromVersion: options.minFromVersion ?? info.version,
      commit: info.commit,
      builtAt: info.builtAt,
      notes: options.notes ?? '',
      keyId: keyIdOf(options.privateKey),
    };
    await writeFile(partial, encodeHead(manifest, options.privateKey));
    await pipeline(createReadStream(payload), createWriteStream(partial, { flags: 'a' }));
    await rename(partial, options.out);
    return manifest;
  } finally {
    await rm(payload, { force: true });
    await rm(partial, { force: true });
  }
}
