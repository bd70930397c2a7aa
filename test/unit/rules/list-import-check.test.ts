// The import's check on bytes (the list compiler's way of reading a file) against the reader's
// own folding of repeats, the kept lines of a file with bad ones, the hash set that replaced a
// set of strings, and the upload a CLI sends a list through.
import { mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImportInThread } from '../../../firmware/rules/import-check.ts';
import { KeySet } from '../../../firmware/rules/key-set.ts';
import { checkListBytes, keptPieces } from '../../../firmware/rules/list-check-bytes.ts';
import { appendUpload, MAX_IMPORT_BYTES, removeUpload, UPLOAD_CHUNK_BYTES, uploadPath, uploadText } from '../../../firmware/rules/list-upload.ts';
import { createListReader, type ListItem } from '../../../firmware/rules/formats/parse.ts';
import { forEachLine } from '../../../firmware/rules/formats/read-list.ts';
import type { ListFormat } from '../../../firmware/config/schema.ts';

const dirs: string[] = [];
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'sg-import-check-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The reader folding repeats itself (a set of strings): what the byte check must agree with. */
function byReader(text: string, format: ListFormat, restricted = false): { entries: number; duplicates: number; names: number; bad: number[] } {
  const counts = { entries: 0, names: 0, bad: new Set<number>() };
  const reader = createListReader(format, {
    item(item: ListItem) {
      counts.entries++;
      if (item.type === 'name') counts.names++;
    },
    error(e) { counts.bad.add(e.line); },
  }, { redact: restricted, exceptions: !restricted });
  forEachLine(text, (line) => reader.push(line));
  const summary = reader.end();
  return { entries: counts.entries, duplicates: summary.duplicates, names: counts.names, bad: [...counts.bad].sort((a, b) => a - b) };
}

describe('checkListBytes', () => {
  it.each<[string, ListFormat, string]>([
    ['domains with repeats in both forms, a wildcard and bad lines', 'domains', 'a.example\nA.Example\na.example\n*.a.example\n*.a.example\nbad name\nb.example # note\nb.example\n\u0000x\n'],
    ['hosts', 'hosts', '0.0.0.0 a.example\n127.0.0.1 a.example\n0.0.0.0 b.example c.example\n0.0.0.0 -bad-\n'],
    ['adblock with exceptions', 'adblock', '||a.example^\n||a.example^\n@@||a.example^\n@@||a.example^\n||b.example^$third-party\n##.banner\n'],
    ['regex', 'regex', '^ads\\.\n^ads\\.\n(unclosed\n'],
    ['sha256', 'sha256', `${'a'.repeat(64)}\n${'a'.repeat(64)}\n${'b'.repeat(64)}\nnot-hex\n`],
  ])('counts %s as the reader folding repeats does', (_what, format, text) => {
    const { report, bad } = checkListBytes(Buffer.from(text), format);
    const expected = byReader(text, format);
    expect({ entries: report.entries, duplicates: report.duplicates, names: report.names, bad: [...bad] }).toEqual(expected);
    expect(report.badLines).toBe(expected.bad.length);
  });

  it('counts a big plain list exactly (the byte fast path and the hash set)', () => {
    const names = Array.from({ length: 50_000 }, (_, i) => `n${i}.example`);
    const text = `${names.join('\n')}\n${names.slice(0, 1234).join('\n')}\nN7.EXAMPLE\n`;
    const { report } = checkListBytes(Buffer.from(text), 'domains');
    expect(report).toMatchObject({ entries: 50_000, names: 50_000, duplicates: 1235, badLines: 0, lines: 51_235 });
  });

  it('refuses allow lines in a restricted list without quoting the entry', () => {
    const { report } = checkListBytes(Buffer.from('||secret.example^\n@@||secret.example^\n'), 'adblock', { restricted: true });
    expect(report.badLines).toBe(1);
    expect(JSON.stringify(report)).not.toContain('secret');
  });
});

describe('keptPieces', () => {
  const kept = (text: string, bad: number[]): string => Buffer.concat(keptPieces(Buffer.from(text), Uint32Array.from(bad))).toString();
  it('drops exactly the numbered lines and ends with a newline', () => {
    expect(kept('a\nb\nc\nd\n', [2, 4])).toBe('a\nc\n');
    expect(kept('a\nb\nc', [1])).toBe('b\nc\n');
    expect(kept('a\r\nb\r\n', [])).toBe('a\r\nb\r\n');
    expect(kept('a\nb', [])).toBe('a\nb\n');
    expect(kept('a\n\nb\n', [2])).toBe('a\nb\n');
  });
});

describe('KeySet', () => {
  it('finds every key again after growing, and only those', () => {
    const set = new KeySet(4);
    let added = 0;
    for (let i = 0; i < 10_000; i++) if (set.add(i * 2654435761, i ^ 0x5a5a5a5a)) added++;
    for (let i = 0; i < 10_000; i++) if (set.add(i * 2654435761, i ^ 0x5a5a5a5a)) added++;
    expect(added).toBe(10_000);
    expect(set.add(1, 0x5a5a5a5b)).toBe(true);
    expect(set.size).toBe(10_001);
  });
});

describe('list uploads', () => {
  it('appends pieces to one file and refuses an unknown or oversized one, keeping nothing', async () => {
    const dir = await tempDir();
    const first = await appendUpload(dir, { data: Buffer.from('a.example\n').toString('base64') });
    const second = await appendUpload(dir, { upload: first.upload, data: Buffer.from('b.example\n').toString('base64') });
    expect(second).toEqual({ upload: first.upload, bytes: 20 });
    expect(await readFile(uploadPath(dir, first.upload), 'utf8')).toBe('a.example\nb.example\n');
    await expect(appendUpload(dir, { upload: '0'.repeat(32), data: '' })).rejects.toMatchObject({ code: 'unknown-upload' });
    expect(() => uploadPath(dir, '../config')).toThrow(/not an upload/);
    await removeUpload(dir, first.upload);
    expect(await readdir(join(dir, '.incoming'))).toEqual([]);
    expect(UPLOAD_CHUNK_BYTES * 128).toBe(MAX_IMPORT_BYTES);
  });

  it('removes an upload left unused for an hour when the next one starts', async () => {
    const dir = await tempDir();
    const old = await uploadText(dir, 'a.example\n');
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
    await utimes(uploadPath(dir, old), hourAgo, hourAgo);
    const fresh = await uploadText(dir, 'b.example\n');
    expect(await readdir(join(dir, '.incoming'))).toEqual([`${fresh}.part`]);
  });
});

describe('the import check thread', () => {
  it('stores the list with its header and without its bad lines, or refuses it and stores nothing', async () => {
    const dir = await tempDir();
    const source = join(dir, 'in.txt');
    const upload = await uploadText(dir, 'a.example\nbad name\nb.example\na.example\n');
    const request = { source: uploadPath(dir, upload), target: join(dir, 'out.txt'), format: 'domains' as const, restricted: false, header: '# imported', mark: '#' };
    const refused = await checkImportInThread({ ...request, skipBadLines: false });
    expect(refused).toMatchObject({ refused: 'bad-lines', droppedLines: 0, report: { entries: 2, duplicates: 1, badLines: 1 } });
    await expect(readFile(request.target)).rejects.toMatchObject({ code: 'ENOENT' });
    const stored = await checkImportInThread({ ...request, skipBadLines: true });
    expect(stored).toMatchObject({ droppedLines: 1, report: { entries: 2 } });
    expect(stored.refused).toBeUndefined();
    expect(await readFile(request.target, 'utf8')).toBe('# imported\n# 1 bad line(s) dropped (original line numbers): 2\na.example\nb.example\na.example\n');
    await expect(checkImportInThread({ ...request, source, skipBadLines: true })).rejects.toThrow(/ENOENT/);
  });
});

describe('importList given the text whole (the web UI form)', () => {
  it('imports it through an upload like the CLI, and leaves no upload behind either way', async () => {
    const { importList } = await import('../../../firmware/rules/list-admin.ts');
    const { defaultConfig } = await import('../../../firmware/config/defaults.ts');
    const { createLogger } = await import('../../../firmware/log.ts');
    const listsDir = await tempDir();
    let config = defaultConfig();
    const audit: unknown[] = [];
    const deps = {
      config: { get current() { return config; }, update: async (change: (draft: typeof config) => unknown) => { const draft = structuredClone(config); config = (change(draft) as typeof config | undefined) ?? draft; return config; } },
      lists: { listsDir, reload: async () => ({ lists: [], compileMs: 1, names: 2, loadedAt: null, fromCache: false, files: [] }) },
      audit: { append: (entry: unknown) => audit.push(entry) },
      logger: createLogger({ level: 'silent' }),
      now: () => new Date('2026-12-07T10:00:00Z'),
    };
    const category = config.lists[0]?.category ?? 'adult';
    const result = await importList(deps as never, { text: 'a.example\nb.example\na.example\n', fileName: 'extra.txt', category }, 'ssh:tech');
    expect(result).toMatchObject({ id: 'extra', droppedLines: 0, check: { entries: 2, duplicates: 1, format: 'domains' } });
    expect(await readFile(join(listsDir, 'extra.txt'), 'utf8')).toMatch(/^# Imported by ssh:tech at 2026-12-07T10:00:00.000Z from "extra.txt" as domains, category .+\.\na\.example\nb\.example\na\.example\n$/);
    expect(config.lists.map((l) => l.id)).toContain('extra');
    await expect(importList(deps as never, { text: 'c.example\nbad name\n', fileName: 'bad.txt', category, format: 'domains' }, 'ssh:tech')).rejects.toMatchObject({ code: 'bad-lines' });
    await expect(importList(deps as never, { fileName: 'none.txt', category }, 'ssh:tech')).rejects.toMatchObject({ code: 'bad-params' });
    expect(await readdir(join(listsDir, '.incoming'))).toEqual([]);
  });
});
