// A release file's bytes (docs/release-format.md): a magic line, the manifest as one line of JSON,
// an Ed25519 signature of exactly those manifest bytes (base64), then the payload, a tar of the
// staged tree. The signature covers the manifest and the manifest names the payload's SHA-256 and
// length, so one signature check and one hash cover every byte. Pure: no files here.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { Value } from 'typebox/value';
import { ReleaseManifest } from './manifest-schema.ts';

export const RELEASE_MAGIC = 'SCHOOLGATE-RELEASE 1';
/** The head (magic, manifest, signature) is never longer than this; a file whose is, is not a release. */
export const MAX_HEAD_BYTES = 64 * 1024;

/** Why a release file is refused; `code` is stable for scripts and the web UI. */
export type RefusalCode = 'malformed' | 'truncated' | 'bad-signature' | 'untrusted-key' | 'wrong-arch' | 'downgrade' | 'too-old' | 'corrupt';

export class ReleaseRefused extends Error {
  readonly code: RefusalCode;
  constructor(code: RefusalCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface ReleaseHead {
  manifest: ReleaseManifest;
  /** The manifest's exact bytes, which the signature covers. */
  manifestBytes: Buffer;
  signature: Buffer;
  /** Where the payload starts in the file. */
  payloadOffset: number;
}

/** The id a manifest names its key by: the start of the SHA-256 of the public key's SPKI DER. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** The head of a release file for this manifest, signed with `privateKey` (Ed25519). */
export function encodeHead(manifest: ReleaseManifest, privateKey: KeyObject): Buffer {
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const signature = sign(null, manifestBytes, privateKey);
  return Buffer.concat([Buffer.from(`${RELEASE_MAGIC}\n`), manifestBytes, Buffer.from(`\n${signature.toString('base64')}\n`)]);
}

/** Reads the head from the first bytes of a file (at least MAX_HEAD_BYTES of it, or all of a shorter file). */
export function parseHead(start: Buffer): ReleaseHead {
  const first = start.indexOf(0x0a);
  if (first < 0 || start.subarray(0, first).toString('latin1') !== RELEASE_MAGIC) {
    throw new ReleaseRefused('malformed', `not a Schoolgate release file (it does not begin "${RELEASE_MAGIC}")`);
  }
  const second = start.indexOf(0x0a, first + 1);
  const third = second < 0 ? -1 : start.indexOf(0x0a, second + 1);
  if (third < 0) {
    throw new ReleaseRefused(start.length >= MAX_HEAD_BYTES ? 'malformed' : 'truncated', 'the release file ends inside its manifest or signature');
  }
  const manifestBytes = start.subarray(first + 1, second);
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    throw new ReleaseRefused('malformed', 'the release manifest is not JSON');
  }
  if (!Value.Check(ReleaseManifest, manifest)) {
    const error = [...Value.Errors(ReleaseManifest, manifest)][0];
    throw new ReleaseRefused('malformed', `the release manifest is not valid: ${error?.instancePath || '/'} ${error?.message ?? ''}`.trim());
  }
  const signatureText = start.subarray(second + 1, third).toString('latin1');
  if (!/^[A-Za-z0-9+/]{86}==$/.test(signatureText)) throw new ReleaseRefused('malformed', 'the release signature is not an Ed25519 signature in base64');
  return { manifest, manifestBytes: Buffer.from(manifestBytes), signature: Buffer.from(signatureText, 'base64'), payloadOffset: third + 1 };
}

/**
 * Checks the head's signature against the trusted keys; returns the key that signed it. A key the
 * manifest names but this box does not trust, and a signature no trusted key made, are refused.
 */
export function checkSignature(head: ReleaseHead, trusted: readonly KeyObject[]): KeyObject {
  const named = trusted.find((key) => keyIdOf(key) === head.manifest.keyId);
  if (named === undefined) {
    throw new ReleaseRefused('untrusted-key', `the release is signed by key ${head.manifest.keyId}, which this gateway does not trust (${trusted.length === 0 ? 'no keys are trusted' : `trusted: ${trusted.map(keyIdOf).join(', ')}`})`);
  }
  if (!verify(null, head.manifestBytes, named, head.signature)) {
    throw new ReleaseRefused('bad-signature', `the release's signature does not match its manifest under key ${head.manifest.keyId}: the file was altered or not signed by that key`);
  }
  return named;
}

/** Compares release versions (MAJOR.MINOR.PATCH[-pre]); a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const split = (v: string): [number[], string | undefined] => {
    const [core = '', ...pre] = v.split('-');
    return [core.split('.').map(Number), pre.length > 0 ? pre.join('-') : undefined];
  };
  const [ca, pa] = split(a);
  const [cb, pb] = split(b);
  for (let i = 0; i < 3; i += 1) {
    const d = (ca[i] ?? 0) - (cb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (pa === pb) return 0;
  if (pa === undefined) return 1;
  if (pb === undefined) return -1;
  return pa < pb ? -1 : 1;
}

export interface InstallCheck {
  arch: string;
  /** The version running now, if any (a first install has none). */
  current?: string;
  /** Allows a downgrade, a reinstall and a release newer than its minimum-from version says. */
  force?: boolean;
}

/** Whether this box may install the (signature-checked) manifest; throws ReleaseRefused if not. */
export function checkInstallable(manifest: ReleaseManifest, check: InstallCheck): void {
  if (manifest.arch !== check.arch) throw new ReleaseRefused('wrong-arch', `the release is for ${manifest.arch}; this gateway is ${check.arch}`);
  if (check.current === undefined || check.force === true) return;
  const order = compareVersions(manifest.version, check.current);
  if (order < 0) throw new ReleaseRefused('downgrade', `the release is ${manifest.version}, older than the running ${check.current} (use --force to go back)`);
  if (order === 0) throw new ReleaseRefused('downgrade', `${manifest.version} is already the running release (use --force to reinstall it)`);
  if (compareVersions(check.current, manifest.minFromVersion) < 0) {
    throw new ReleaseRefused('too-old', `${manifest.version} upgrades from ${manifest.minFromVersion} or later; this gateway runs ${check.current}: install an intermediate release first`);
  }
}
