// The one upload mechanism behind `lists.upload` and `upgrade.upload`: the store's refusals (a
// piece at the wrong offset, an upload it never gave or no longer holds, a name that is a path, a
// file over its use's cap), each leaving nothing half-written; stale uploads going; and the sending
// end, from the CLI over a real socket and from a stream arriving in odd-sized chunks.
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ControlServer } from '../../../firmware/control/server.ts';
import { uploadMethod, UploadStore } from '../../../firmware/control/upload.ts';
import { UPLOAD_CHUNK_BYTES, type UploadParams } from '../../../firmware/control/upload-schema.ts';
import { sendUpload } from '../../../firmware/control/upload-send.ts';
import { progressLines, uploadFile } from '../../../firmware/cli/upload-file.ts';
import { silentLogger } from '../../../firmware/log.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function store(maxBytes = 64, what = 'a test file'): Promise<UploadStore> {
  const root = await mkdtemp(join(tmpdir(), 'sg-upload-'));
  dirs.push(root);
  return new UploadStore({ dir: join(root, 'incoming'), maxBytes, what });
}
const b64 = (text: string): string => Buffer.from(text).toString('base64');
const piece = (upload: string | undefined, offset: number, text: string): UploadParams => ({ ...(upload === undefined ? {} : { upload }), offset, data: b64(text) });
const held = (s: UploadStore): Promise<string[]> => readdir(s.dir).catch(() => []);

describe('UploadStore', () => {
  it('stores pieces in order at their offsets and gives the finished file\'s path', async () => {
    const s = await store();
    const first = await s.append(piece(undefined, 0, 'a.example\n'));
    expect(first).toEqual({ upload: expect.stringMatching(/^[0-9a-f]{32}$/), bytes: 10 });
    expect(await s.append(piece(first.upload, 10, 'b.example\n'))).toEqual({ upload: first.upload, bytes: 20 });
    expect(await readFile(await s.finished(first.upload), 'utf8')).toBe('a.example\nb.example\n');
    await s.remove(first.upload);
    await s.remove(first.upload); // already gone: no error
    expect(await held(s)).toEqual([]);
  });

  it('refuses a piece sent twice or one after a lost piece, and removes that upload', async () => {
    const s = await store();
    const resent = await s.append(piece(undefined, 0, 'abc'));
    await expect(s.append(piece(resent.upload, 0, 'abc'))).rejects.toMatchObject({ code: 'upload-offset', message: expect.stringMatching(/holds 3 bytes.*not 0: a piece was sent twice/) });
    const lost = await s.append(piece(undefined, 0, 'abc'));
    await expect(s.append(piece(lost.upload, 6, 'ghi'))).rejects.toMatchObject({ code: 'upload-offset', message: expect.stringMatching(/not 6: a piece before it was lost/) });
    await expect(s.append(piece(undefined, 3, 'def'))).rejects.toMatchObject({ code: 'upload-offset', message: 'a new upload starts at offset 0, not 3' });
    expect(await held(s)).toEqual([]);
    await expect(s.append(piece(lost.upload, 3, 'def'))).rejects.toMatchObject({ code: 'unknown-upload' });
  });

  it('stores a second piece sent at the same time as the first at one offset only', async () => {
    const s = await store();
    const { upload } = await s.append(piece(undefined, 0, 'abc'));
    const both = await Promise.allSettled([s.append(piece(upload, 3, 'def')), s.append(piece(upload, 3, 'def'))]);
    expect(both.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(await held(s)).toEqual([]);
  });

  it('refuses an upload it never gave or no longer holds', async () => {
    const s = await store();
    await expect(s.append(piece('0'.repeat(32), 0, 'x'))).rejects.toMatchObject({ code: 'unknown-upload', message: expect.stringContaining('send the file again') });
    await expect(s.finished('f'.repeat(32))).rejects.toMatchObject({ code: 'unknown-upload' });
    expect(await held(s)).toEqual([]);
  });

  it('refuses an id that is a path, before touching the disk', async () => {
    const s = await store();
    const { upload } = await s.append(piece(undefined, 0, 'keep me'));
    const outside = join(s.dir, '..', 'config.json');
    await writeFile(outside, '{}');
    for (const id of ['../config.json', `../${upload}`, `${upload}/../${upload}`, '', `${upload.toUpperCase()}`]) {
      expect(() => s.pathOf(id)).toThrow(expect.objectContaining({ code: 'unknown-upload', message: `"${id}" is not an upload` }));
      await expect(s.append(piece(id, 0, 'x'))).rejects.toMatchObject({ code: 'unknown-upload' });
      await expect(s.finished(id)).rejects.toMatchObject({ code: 'unknown-upload' });
      await expect(s.remove(id)).rejects.toMatchObject({ code: 'unknown-upload' });
    }
    expect(await readFile(outside, 'utf8')).toBe('{}');
    expect(await readFile(await s.finished(upload), 'utf8')).toBe('keep me');
  });

  it('enforces its use\'s cap, keeping nothing of a file that goes over it', async () => {
    const s = await store(8, 'a list');
    const { upload } = await s.append(piece(undefined, 0, '12345'));
    await expect(s.append(piece(upload, 5, '6789'))).rejects.toMatchObject({ code: 'too-large', message: 'a list may be at most 8 bytes: the upload is refused and nothing of it is kept' });
    await expect(s.append(piece(undefined, 0, '123456789'))).rejects.toMatchObject({ code: 'too-large' });
    await expect(s.write('123456789')).rejects.toMatchObject({ code: 'too-large' });
    await expect(s.write('1234567é')).rejects.toMatchObject({ code: 'too-large' }); // 8 characters, 9 bytes
    expect(await held(s)).toEqual([]);
    expect(await readFile(await s.finished(await s.write('12345678')), 'utf8')).toBe('12345678');
    const big = new UploadStore({ dir: s.dir, maxBytes: 4 * UPLOAD_CHUNK_BYTES, what: 'a release file' });
    const over = Buffer.alloc(UPLOAD_CHUNK_BYTES + 1).toString('base64');
    await expect(big.append({ offset: 0, data: over })).rejects.toMatchObject({ code: 'too-large', message: 'a piece may be at most 512 KiB' });
  });

  it('removes uploads untouched for an hour when the next starts, and nothing else in its directory', async () => {
    const s = await store();
    const old = await s.write('old');
    const recent = await s.write('recent');
    await writeFile(join(s.dir, '1.2.3.sgrel'), 'a requested release');
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
    await utimes(await s.finished(old), hourAgo, hourAgo);
    await utimes(join(s.dir, '1.2.3.sgrel'), hourAgo, hourAgo);
    const fresh = await s.write('fresh');
    expect((await held(s)).sort()).toEqual(['1.2.3.sgrel', `${fresh}.part`, `${recent}.part`].sort());
    await utimes(await s.finished(recent), hourAgo, hourAgo);
    expect(await s.removeStale()).toEqual([recent]);
  });
});

describe('sending an upload', () => {
  it('sends a stream in whole pieces whatever sizes it arrives in, through the method\'s parameter check', async () => {
    const s = await store(4 * UPLOAD_CHUNK_BYTES);
    const server = new ControlServer(silentLogger());
    server.register('test.upload', uploadMethod(s));
    const sent: UploadParams[] = [];
    const file = Buffer.alloc(2 * UPLOAD_CHUNK_BYTES + 1000, 'abcdefghij');
    async function* arriving(): AsyncGenerator<Buffer> {
      for (let at = 0; at < file.length; at += 300_001) yield Buffer.from(file.subarray(at, at + 300_001));
    }
    const seen: number[] = [];
    const upload = await sendUpload(arriving(), async (params) => {
      sent.push(params);
      return await server.invoke('test.upload', params, { user: 'tech' }) as never;
    }, (bytes) => seen.push(bytes));
    expect(sent.map((p) => [p.offset, Buffer.from(p.data, 'base64').length])).toEqual([[0, UPLOAD_CHUNK_BYTES], [UPLOAD_CHUNK_BYTES, UPLOAD_CHUNK_BYTES], [2 * UPLOAD_CHUNK_BYTES, 1000]]);
    expect(seen).toEqual([UPLOAD_CHUNK_BYTES, 2 * UPLOAD_CHUNK_BYTES, file.length]);
    expect((await readFile(await s.finished(upload))).equals(file)).toBe(true);
    await expect(server.invoke('test.upload', { offset: 0, data: 'not base64!' }, { user: 'tech' })).rejects.toMatchObject({ code: 'bad-params' });
    // An empty file is still an upload, for its user to refuse in its own words.
    expect(await readFile(await s.finished(await sendUpload((async function* () {})(), (p) => s.append(p))), 'utf8')).toBe('');
  });

  it('stops when the daemon answers with other bytes than were sent', async () => {
    const source = (async function* () { yield Buffer.from('abc'); })();
    await expect(sendUpload(source, async () => ({ upload: 'a'.repeat(32), bytes: 2 }))).rejects.toThrow(/holds 2 bytes .* not the 3 sent/);
  });

  it('sends a file from the CLI over the control socket with progress, and refuses one over the cap before sending', async () => {
    const s = await store(3 * UPLOAD_CHUNK_BYTES);
    const root = join(s.dir, '..');
    const socket = join(root, 'control.sock');
    const server = new ControlServer(silentLogger());
    server.register('test.upload', uploadMethod(s));
    await server.listen(socket);
    try {
      const file = join(root, 'release.bin');
      const bytes = Buffer.alloc(2 * UPLOAD_CHUNK_BYTES + 17, 'release');
      await writeFile(file, bytes);
      const progress: Array<[number, number]> = [];
      const upload = await uploadFile({ socket, method: 'test.upload', file, maxBytes: s.maxBytes, what: 'a release file', onProgress: (sent, total) => progress.push([sent, total]) });
      expect((await readFile(await s.finished(upload))).equals(bytes)).toBe(true);
      expect(progress).toEqual([[UPLOAD_CHUNK_BYTES, bytes.length], [2 * UPLOAD_CHUNK_BYTES, bytes.length], [bytes.length, bytes.length]]);

      await mkdir(join(root, 'big'));
      const big = join(root, 'big', 'too.bin');
      await writeFile(big, Buffer.alloc(3 * UPLOAD_CHUNK_BYTES + 1));
      await expect(uploadFile({ socket, method: 'test.upload', file: big, maxBytes: s.maxBytes, what: 'a release file' })).rejects.toThrow(`${big} is ${3 * UPLOAD_CHUNK_BYTES + 1} bytes; a release file may be at most 1536 KiB`);
      expect(await held(s)).toEqual([`${upload}.part`]);
    } finally {
      await server.close();
    }
  });

  it('prints progress every step and once at the end, and nothing for a file smaller than a step', () => {
    const lines: string[] = [];
    const report = progressLines((line) => lines.push(line), 1_000_000);
    for (const sent of [400_000, 800_000, 1_200_000, 1_600_000, 2_000_000, 2_100_000]) report(sent, 2_100_000);
    expect(lines).toEqual(['  sent 1.2 of 2.1 MB', '  sent 2.0 of 2.1 MB', '  sent 2.1 of 2.1 MB']);
    const small = progressLines((line) => lines.push(line), 1_000_000);
    small(400_000, 900_000);
    small(900_000, 900_000);
    expect(lines).toHaveLength(3);
  });
});
