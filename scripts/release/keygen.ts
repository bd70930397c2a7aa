// `node scripts/release/keygen.ts --out DIR`: a release-signing key pair (Ed25519). The private key
// (release-signing.key, mode 0600) stays with whoever signs releases and is never committed; the
// public key (release-signing.pem) goes into the image's /etc/schoolgate/release-keys/.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { keyIdOf } from '../../firmware/upgrade/release-format.ts';

export function generateReleaseKeys(dir: string): { privateFile: string; publicFile: string; keyId: string } {
  const privateFile = join(dir, 'release-signing.key');
  const publicFile = join(dir, 'release-signing.pem');
  for (const file of [privateFile, publicFile]) if (existsSync(file)) throw new Error(`${file} exists: a new key would orphan every box that trusts the old one`);
  mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return { privateFile, publicFile, keyId: keyIdOf(publicKey) };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
  if (values.out === undefined) {
    console.error('usage: node scripts/release/keygen.ts --out DIR');
    process.exitCode = 2;
  } else {
    try {
      const made = generateReleaseKeys(resolve(values.out));
      console.log(`key ${made.keyId}\n  private: ${made.privateFile} (keep it off the repository and the boxes)\n  public:  ${made.publicFile} (install it as /etc/schoolgate/release-keys/${made.keyId}.pem)`);
    } catch (error) {
      console.error(`keygen: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }
}
