// The envelope sealed and opened as streams writes and reads the very format sealExport and
// openExport do: each opens the other's files, and the streaming opener refuses a wrong
// passphrase, a flipped byte, a changed header and a cut-short file with openExport's messages.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openExportFile, sealExportToFile, STREAM_CHUNK_BYTES, type SealStreamSource } from '../../../../firmware/monitor/reports/export-seal-stream.ts';
import { openExport, sealExport, type AuditHeadAtExport } from '../../../../firmware/monitor/reports/export-seal.ts';

const HEAD: AuditHeadAtExport = { seq: 7, hash: 'cd'.repeat(32), verified: true };
const FAST = { N: 16_384, r: 8, p: 1 };
const AT = new Date('2026-12-07T10:00:00.000Z');
const PASS = 'correct horse battery staple';
const OPTIONS = { auditHead: HEAD, actor: 'system:backup', at: AT, scrypt: FAST };
// More than two reading pieces, and not a multiple of one, so the pieces' edges are crossed.
const BODY = Buffer.from(Array.from({ length: STREAM_CHUNK_BYTES * 2 + 12_345 }, (_, i) => (i * 31 + (i >> 9)) & 0xff));

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'schoolgate-seal-stream-'));
  dirs.push(dir);
  return dir;
}

function source(body: Buffer, pieces = 3, actual = body): SealStreamSource {
  return {
    fileName: 'backup.bin', mediaType: 'application/octet-stream', contentLength: body.length, contentSha256: createHash('sha256').update(body).digest('hex'),
    chunks: async function* () {
      const step = Math.ceil(actual.length / pieces);
      for (let i = 0; i < actual.length; i += step) yield actual.subarray(i, i + step);
    },
  };
}

async function openToBuffer(file: string, passphrase?: string): Promise<Buffer> {
  const out: Buffer[] = [];
  await openExportFile(file, passphrase, (chunk) => {
    out.push(Buffer.from(chunk));
  });
  return Buffer.concat(out);
}

describe('sealExportToFile and openExportFile', () => {
  it('a stream-sealed file opens with openExport, and a sealExport file opens as a stream, encrypted and plain', async () => {
    const dir = await tempDir();
    for (const passphrase of [PASS, undefined]) {
      const streamed = join(dir, `streamed-${passphrase ? 'enc' : 'plain'}`);
      const header = await sealExportToFile(streamed, source(BODY, 5), { ...OPTIONS, passphrase, mode: 0o640 });
      expect(header).toMatchObject({ contentLength: BODY.length, exportedBy: 'system:backup', encryption: passphrase ? { cipher: 'aes-256-gcm' } : null });
      const opened = openExport(await readFile(streamed), passphrase);
      expect(opened.body.equals(BODY)).toBe(true);
      expect(opened.header).toEqual(header);

      const whole = join(dir, `whole-${passphrase ? 'enc' : 'plain'}`);
      await writeFile(whole, sealExport({ fileName: 'backup.bin', mediaType: 'application/octet-stream', body: BODY }, { ...OPTIONS, passphrase }).body);
      expect((await openToBuffer(whole, passphrase)).equals(BODY)).toBe(true);
    }
    // Only the sealed files: the temporary file the sealer wrote was renamed, none is left behind.
    expect((await readdir(dir)).sort()).toEqual(['streamed-enc', 'streamed-plain', 'whole-enc', 'whole-plain']);
  });

  it('refuses a wrong passphrase, a flipped byte, a changed header and a cut-short file, as openExport does', async () => {
    const dir = await tempDir();
    const file = join(dir, 'sealed');
    await sealExportToFile(file, source(BODY), { ...OPTIONS, passphrase: PASS });
    const sealed = await readFile(file);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - STREAM_CHUNK_BYTES]! ^= 0x01;
    const headerEnd = sealed.indexOf(0x0a, sealed.indexOf(0x0a) + 1);
    const header = sealed.subarray(0, headerEnd).toString('utf8').replace('"exportedBy":"system:backup"', '"exportedBy":"system:bakcup"');
    const cases: [string, Buffer, string | undefined, RegExp][] = [
      ['wrong passphrase', sealed, 'correct horse battery stapler', /passphrase is wrong, or the file was changed/],
      ['no passphrase', sealed, undefined, /encrypted: give its passphrase/],
      ['a byte flipped', flipped, PASS, /passphrase is wrong, or the file was changed/],
      ['the header changed', Buffer.concat([Buffer.from(header, 'utf8'), sealed.subarray(headerEnd)]), PASS, /passphrase is wrong, or the file was changed/],
      ['cut short', sealed.subarray(0, sealed.length - 1), PASS, /passphrase is wrong, or the file was changed/],
      ['not an export', Buffer.from('hello\n'), PASS, /not a Schoolgate export/],
    ];
    for (const [what, bytes, passphrase, message] of cases) {
      const bad = join(dir, 'bad');
      await writeFile(bad, bytes);
      await expect(openToBuffer(bad, passphrase), what).rejects.toThrow(message);
      expect(() => openExport(bytes, passphrase), what).toThrow(message);
    }
    // A plain file whose content was changed: no tag, so the content hash is what refuses it.
    const plain = join(dir, 'plain');
    await sealExportToFile(plain, source(BODY), OPTIONS);
    const changed = await readFile(plain);
    changed[changed.length - 1]! ^= 0x01;
    await writeFile(plain, changed);
    await expect(openToBuffer(plain)).rejects.toThrow(/does not match the SHA-256 in its header/);
  });

  it('refuses content that changed between the hashing pass and the sealing pass, writing nothing', async () => {
    const dir = await tempDir();
    const changed = Buffer.from(BODY);
    changed[5]! ^= 0x01;
    await expect(sealExportToFile(join(dir, 'sealed'), source(BODY, 3, changed), { ...OPTIONS, passphrase: PASS })).rejects.toThrow(/changed while it was being sealed/);
    await expect(sealExportToFile(join(dir, 'sealed'), source(BODY, 3, BODY.subarray(1)), OPTIONS)).rejects.toThrow(/changed while it was being sealed/);
    expect(await readdir(dir)).toEqual([]);
  });
});
