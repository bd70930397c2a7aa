// `npm run release -- --arch arm64|x64 --key FILE [--version V] [--min-from V] [--notes FILE] [--out DIR]`:
// stages a release (stage.ts) and packs it into one signed file, DIR/schoolgate-<version>-<arch>.sgrel
// (default DIR: tmp/releases), which `schoolgate upgrade FILE` and the web UI install.
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packRelease } from './pack.ts';
import { stageRelease, type StageOptions } from './stage.ts';

const REPO = resolve(import.meta.dirname, '../..');

if (import.meta.main) {
  const usage = 'usage: npm run release -- --arch arm64|x64 --key FILE [--version V] [--min-from V] [--notes FILE] [--out DIR]';
  try {
    const { values } = parseArgs({
      options: { arch: { type: 'string' }, key: { type: 'string' }, version: { type: 'string' }, 'min-from': { type: 'string' }, notes: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
    if (values.arch === undefined || values.key === undefined) throw new Error(usage);
    const privateKey = createPrivateKey(readFileSync(values.key));
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${values.key} is not an Ed25519 private key`);
    const outDir = resolve(values.out ?? join(REPO, 'tmp/releases'));
    mkdirSync(outDir, { recursive: true });
    const work = mkdtempSync(join(outDir, '.stage-'));
    try {
      const stageDir = join(work, 'tree');
      const info = stageRelease({ arch: values.arch as StageOptions['arch'], out: stageDir, version: values.version, log: (line) => console.log(line) });
      const out = join(outDir, `schoolgate-${info.version}-${info.arch}.sgrel`);
      const manifest = await packRelease({
        stageDir, out, privateKey, minFromVersion: values['min-from'],
        notes: values.notes === undefined ? '' : readFileSync(values.notes, 'utf8'),
      });
      console.log(`${out}: ${manifest.version} for ${manifest.arch}, ${(manifest.size / 1e6).toFixed(1)} MB, signed by key ${manifest.keyId}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  } catch (error) {
    console.error(`release: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
