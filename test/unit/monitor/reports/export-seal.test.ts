// The export envelope: what goes in comes out, and a wrong passphrase, a flipped byte or a changed
// header is refused with an error that says so (docs/export-format.md).
import { describe, expect, it } from 'vitest';
import {
  openExport, readSealHeader, SealError, sealExport, SEALED_MEDIA_TYPE, type AuditHeadAtExport,
} from '../../../../firmware/monitor/reports/export-seal.ts';

const HEAD: AuditHeadAtExport = { seq: 42, hash: 'ab'.repeat(32), verified: true };
// Cheap scrypt for tests; the bounds the opener enforces still hold (N ≥ 2^14).
const FAST = { N: 16_384, r: 8, p: 1 };
const FILE = { fileName: 'device-02-5c-00-20-00-10.csv', mediaType: 'text/csv; charset=utf-8', body: Buffer.from('at,kind\n2026-12-01T09:00:00.000Z,alert\n') };
const AT = new Date('2026-12-07T10:00:00.000Z');
const PASS = 'correct horse battery staple';

function refused(fn: () => unknown, pattern: RegExp): void {
  expect(fn).toThrow(SealError);
  expect(fn).toThrow(pattern);
}

describe('sealExport and openExport', () => {
  it('round-trips plain content, its header naming the audit head, the actor and the time', () => {
    const sealed = sealExport(FILE, { auditHead: HEAD, actor: 'account:dsl', at: AT });
    expect(sealed.fileName).toBe('device-02-5c-00-20-00-10.csv.sgexport');
    expect(sealed.mediaType).toBe(SEALED_MEDIA_TYPE);
    const opened = openExport(sealed.body);
    expect(opened.body.equals(FILE.body)).toBe(true);
    expect(opened.fileName).toBe(FILE.fileName);
    expect(opened.header).toMatchObject({ exportedBy: 'account:dsl', exportedAt: AT.toISOString(), auditHead: HEAD, encryption: null, contentLength: FILE.body.length });
  });

  it('round-trips encrypted content, which is nowhere in the file in clear', () => {
    const sealed = sealExport(FILE, { auditHead: HEAD, actor: 'account:dsl', at: AT, passphrase: PASS, scrypt: FAST });
    expect(sealed.body.includes(Buffer.from('2026-12-01T09:00'))).toBe(false);
    const { header } = readSealHeader(sealed.body);
    expect(header.encryption).toMatchObject({ cipher: 'aes-256-gcm', kdf: 'scrypt', N: FAST.N });
    expect(openExport(sealed.body, PASS).body.equals(FILE.body)).toBe(true);
  });

  it('refuses a wrong passphrase, and a missing one, and one given for a plain file', () => {
    const sealed = sealExport(FILE, { auditHead: HEAD, actor: 'account:dsl', at: AT, passphrase: PASS, scrypt: FAST });
    refused(() => openExport(sealed.body, 'correct horse battery stapler'), /passphrase is wrong/);
    refused(() => openExport(sealed.body), /encrypted: give its passphrase/);
    const plain = sealExport(FILE, { auditHead: HEAD, actor: 'account:dsl', at: AT });
    refused(() => openExport(plain.body, PASS), /not encrypted/);
  });

  it('refuses a flipped byte of the content, encrypted or not', () => {
    for (const passphrase of [undefined, PASS]) {
      const sealed = sealExport(FILE, { auditHead: HEAD, actor: 'account:dsl', at: AT, passphrase, scrypt: FAST }).body;
      const last = Buffer.from(sealed);
      last[last.length - 5]! ^= 0x01;
      refused(() => openExport(last, passphrase), passphrase === undefined ? /does not match the SHA-256/ : /passphrase is wrong, or the file was changed/);
    }
  });

  it('refuses a changed header: the encrypted file authenticates it, the plain one checks the hash it names', () => {
    const sealed = sealExport(FILE, { auditHead: HEAD, actor: 'account:dsl', at: AT, passphrase: PASS, scrypt: FAST }).body;
    // Same length, still valid JSON and a valid header: only the authentication can catch it.
    const forged = Buffer.from(sealed.toString('latin1').replace('"exportedBy":"account:dsl"', '"exportedBy":"account:abc"'), 'latin1');
    expect(forged.equals(sealed)).toBe(false);
    refused(() => openExport(forged, PASS), /passphrase is wrong, or the file was changed/);

    const plain = sealExport(FILE, { auditHead: HEAD, actor: 'account:dsl', at: AT }).body;
    const otherBody = Buffer.from('at,kind\n');
    const swapped = Buffer.concat([plain.subarray(0, readSealHeader(plain).headerBytes), otherBody]);
    refused(() => openExport(swapped), /does not match the SHA-256/);
    refused(() => openExport(Buffer.from(plain.toString('utf8').replace('"seq":42', '"seq":"x"'))), /header is not valid/);
  });

  it('refuses what is not an export, and a header asking for absurd scrypt memory', () => {
    refused(() => openExport(Buffer.from('a,b\n1,2\n')), /not a Schoolgate export/);
    const sealed = sealExport(FILE, { auditHead: HEAD, actor: 'account:dsl', at: AT, passphrase: PASS, scrypt: FAST }).body;
    const greedy = Buffer.from(sealed.toString('latin1').replace('"N":16384', `"N":${2 ** 30}`), 'latin1');
    refused(() => openExport(greedy, PASS), /header is not valid/);
  });

  it('refuses a short passphrase before sealing anything', () => {
    refused(() => sealExport(FILE, { auditHead: HEAD, actor: 'account:dsl', at: AT, passphrase: 'short' }), /at least 10 characters/);
  });
});
