// The release file's checks (docs/release-format.md) on small real release files: a tar of a tiny
// tree, signed with keys made here. Every refusal leaves the install root and the service untouched.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packRelease } from '../../../scripts/release/pack.ts';
import { applyUpgrade } from '../../../firmware/upgrade/apply-upgrade.ts';
import { currentVersion, switchCurrent, unpackRelease } from '../../../firmware/upgrade/install-layout.ts';
import { verifyReleaseFile } from '../../../firmware/upgrade/release-file.ts';
import { compareVersions, ReleaseRefused } from '../../../firmware/upgrade/release-format.ts';
import { readHistory, writeRequest } from '../../../firmware/upgrade/upgrade-files.ts';

const keys = () => generateKeyPairSync('ed25519');

describe('release files', () => {
  let dir: string;
  let trusted: { privateKey: KeyObject; publicKey: KeyObject };
  let good: string;

  /** A tiny staged tree of `version` for `arch`, packed and signed with `key`. */
  async function release(name: string, version: string, options: { arch?: 'x64' | 'arm64'; key?: KeyObject; minFrom?: string } = {}): Promise<string> {
    const stage = join(dir, `${name}-tree`);
    mkdirSync(join(stage, 'bin'), { recursive: true });
    writeFileSync(join(stage, 'VERSION'), JSON.stringify({ version, commit: 'test', arch: options.arch ?? 'x64', builtAt: '2026-12-07T00:00:00.000Z' }));
    writeFileSync(join(stage, 'bin/schoolgate'), '#!/bin/sh\necho test\n');
    const out = join(dir, `${name}.sgrel`);
    await packRelease({ stageDir: stage, out, privateKey: options.key ?? trusted.privateKey, compression: name === 'good' ? 'gzip' : 'none', minFromVersion: options.minFrom ?? '1.0.0' });
    return out;
  }

  const refusal = async (file: string, check: { current?: string; force?: boolean; arch?: string } = {}): Promise<string> => {
    try {
      await verifyReleaseFile(file, [trusted.publicKey], { arch: check.arch ?? 'x64', current: check.current ?? '1.0.0', force: check.force });
    } catch (error) {
      if (error instanceof ReleaseRefused) return `${error.code}: ${error.message}`;
      throw error;
    }
    return 'accepted';
  };

  const altered = (file: string, name: string, change: (bytes: Buffer) => Buffer): string => {
    const out = join(dir, name);
    writeFileSync(out, change(Buffer.from(readFileSync(file))));
    return out;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'schoolgate-release-file-'));
    trusted = keys();
    good = await release('good', '1.1.0');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a signed release for this arch and a newer version, and unpacks its tree', async () => {
    expect(await refusal(good)).toBe('accepted');
    const { manifest, head } = await verifyReleaseFile(good, [trusted.publicKey], { arch: 'x64', current: '1.0.0' });
    expect(manifest).toMatchObject({ version: '1.1.0', arch: 'x64', compression: 'gzip', minFromVersion: '1.0.0' });
    const root = join(dir, 'root');
    await unpackRelease(root, good, head.payloadOffset, manifest);
    await switchCurrent(root, '1.1.0');
    expect(await currentVersion(root)).toBe('1.1.0');
    expect(readFileSync(join(root, 'current/bin/schoolgate'), 'utf8')).toContain('echo test');
  });

  it('refuses an altered payload, an altered manifest and an altered signature', async () => {
    expect(await refusal(altered(good, 'payload.sgrel', (b) => { b[b.length - 100]! ^= 1; return b; }))).toMatch(/^corrupt: .*does not match its signed SHA-256/);
    expect(await refusal(altered(good, 'manifest.sgrel', (b) => Buffer.from(b.toString('latin1').replace('"notes":""', '"notes":"x"'), 'latin1')))).toMatch(/^bad-signature:/);
    expect(await refusal(altered(good, 'signature.sgrel', (b) => {
      const at = b.indexOf(0x0a, b.indexOf(0x0a) + 1) + 5;
      b[at] = b[at] === 0x41 ? 0x42 : 0x41;
      return b;
    }))).toMatch(/^bad-signature:/);
    expect(await refusal(altered(good, 'appended.sgrel', (b) => Buffer.concat([b, Buffer.from('x')])))).toMatch(/^corrupt: .*1 bytes more/);
  });

  it('refuses a release signed by a key this box does not trust, even one claiming a trusted key id', async () => {
    const stranger = keys();
    expect(await refusal(await release('stranger', '1.1.0', { key: stranger.privateKey }))).toMatch(/^untrusted-key: the release is signed by key [0-9a-f]{16}, which this gateway does not trust/);
    // The stranger's signature over a manifest that names the trusted key.
    const trustedId = JSON.parse(readFileSync(good, 'latin1').split('\n')[1]!).keyId as string;
    const forged = altered(await release('forged', '1.1.0', { key: stranger.privateKey }), 'forged2.sgrel', (b) => {
      const text = b.toString('latin1');
      const strangerId = JSON.parse(text.split('\n')[1]!).keyId as string;
      return Buffer.from(text.replace(`"keyId":"${strangerId}"`, `"keyId":"${trustedId}"`), 'latin1');
    });
    expect(await refusal(forged)).toMatch(/^bad-signature:/);
  });

  it('refuses a truncated file, wherever it was cut', async () => {
    const bytes = readFileSync(good);
    expect(await refusal(altered(good, 'cut-payload.sgrel', () => bytes.subarray(0, bytes.length - 1)))).toMatch(/^truncated: the release file is truncated/);
    expect(await refusal(altered(good, 'cut-head.sgrel', () => bytes.subarray(0, 100)))).toMatch(/^truncated:/);
    expect(await refusal(altered(good, 'not-a-release.sgrel', () => Buffer.from('hello\n')))).toMatch(/^malformed: not a Schoolgate release file/);
  });

  it('refuses another arch, a downgrade or reinstall unless forced, and a jump from too old a version', async () => {
    expect(await refusal(await release('arm', '1.1.0', { arch: 'arm64' }))).toMatch(/^wrong-arch: the release is for arm64; this gateway is x64/);
    expect(await refusal(good, { current: '1.2.0' })).toMatch(/^downgrade: the release is 1.1.0, older than the running 1.2.0/);
    expect(await refusal(good, { current: '1.2.0', force: true })).toBe('accepted');
    expect(await refusal(good, { current: '1.1.0' })).toMatch(/^downgrade: 1.1.0 is already the running release/);
    expect(await refusal(good, { current: '0.9.0' })).toMatch(/^too-old: 1.1.0 upgrades from 1.0.0 or later/);
    expect(compareVersions('1.10.0', '1.9.9')).toBe(1);
    expect(compareVersions('2.0.0-rc.1', '2.0.0')).toBe(-1);
  });

  it('the switcher records a refused request and changes nothing: no unpacking, no switch, no restart', async () => {
    const root = join(dir, 'switch-root');
    const dataDir = join(dir, 'data');
    mkdirSync(join(dataDir, 'upgrade/incoming'), { recursive: true });
    const { head, manifest } = await verifyReleaseFile(good, [trusted.publicKey], { arch: 'x64' });
    await unpackRelease(root, good, head.payloadOffset, manifest);
    await switchCurrent(root, '1.1.0');
    const before = readdirSync(join(root, 'releases'));
    let restarts = 0;
    const service = { restart: async () => { restarts += 1; }, automaticRestarts: async () => 0, failed: async () => false };
    // What a compromised daemon could leave: a request for a file nobody trusted signed.
    const bad = await release('sneaky', '1.2.0', { key: keys().privateKey });
    await writeRequest(dataDir, { version: '1.2.0', file: bad, force: false, by: 'ssh:test', at: new Date().toISOString() });
    const entry = await applyUpgrade({ dataDir, installRoot: root, trustedKeys: [trusted.publicKey], arch: 'x64', service, healthTimeoutMs: 1000, settleMs: 0 });
    expect(entry).toMatchObject({ outcome: 'refused', from: '1.1.0', to: '1.2.0' });
    expect(entry?.reason).toMatch(/does not trust/);
    expect(restarts).toBe(0);
    expect(await currentVersion(root)).toBe('1.1.0');
    expect(readdirSync(join(root, 'releases'))).toEqual(before);
    expect(await readHistory(dataDir)).toEqual([entry]);
    expect(await applyUpgrade({ dataDir, installRoot: root, trustedKeys: [trusted.publicKey], arch: 'x64', service, healthTimeoutMs: 1000, settleMs: 0 })).toBeUndefined();
  });
});
