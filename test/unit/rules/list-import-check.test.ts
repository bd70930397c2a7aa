// The import's check on bytes (the list compiler's way of reading a file) against the reader's
// own folding of repeats, the kept lines of a file with bad ones, the hash set that replaced a
// set of strings; and an import's change, audited before anything hears of it.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImportInThread } from '../../../firmware/rules/import-check.ts';
import { KeySet } from '../../../firmware/rules/key-set.ts';
import { checkListBytes, keptPieces } from '../../../firmware/rules/list-check-bytes.ts';
import { listUploads } from '../../../firmware/rules/list-admin.ts';
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

describe('the import check thread', () => {
  it('stores the list with its header and without its bad lines, or refuses it and stores nothing', async () => {
    const dir = await tempDir();
    const source = join(dir, 'in.txt');
    const uploads = listUploads(dir);
    const upload = await uploads.write('a.example\nbad name\nb.example\na.example\n');
    const request = { source: await uploads.finished(upload), target: join(dir, 'out.txt'), format: 'domains' as const, restricted: false, header: '# imported', mark: '#' };
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

describe('importList and removeList', () => {
  it('import a list given whole (the web UI form) through an upload like the CLI, leaving no upload behind either way', async () => {
    const { importList } = await import('../../../firmware/rules/list-admin.ts');
    const { defaultConfig } = await import('../../../firmware/config/defaults.ts');
    const { createLogger } = await import('../../../firmware/log.ts');
    const listsDir = await tempDir();
    let config = defaultConfig();
    const audit: unknown[] = [];
    const deps = {
      config: { get current() { return config; }, update: async (change: (draft: typeof config) => unknown, written?: () => void) => { const draft = structuredClone(config); config = (change(draft) as typeof config | undefined) ?? draft; written?.(); return config; } },
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
    await expect(importList(deps as never, { upload: 'a'.repeat(32), fileName: 'gone.txt', category }, 'ssh:tech')).rejects.toMatchObject({ code: 'unknown-upload' });
    expect(await readdir(join(listsDir, '.incoming'))).toEqual([]);
  });

  it('audit each change to the configuration before any listener hears of it, an undone one too', async () => {
    const { importList, removeList } = await import('../../../firmware/rules/list-admin.ts');
    const { defaultConfig } = await import('../../../firmware/config/defaults.ts');
    const { ConfigStore } = await import('../../../firmware/config/store.ts');
    const { silentLogger } = await import('../../../firmware/log.ts');
    const dir = await tempDir();
    const listsDir = join(dir, 'lists');
    const config = await ConfigStore.open(join(dir, 'config.json'), { createWith: defaultConfig });
    const audit: Array<{ action: string; subject?: string; details?: unknown }> = [];
    // What a listener (DNS, DHCP restarting) finds in the audit log when it hears of a change.
    const heard: string[][] = [];
    config.onChange((next) => heard.push([next.lists.map((l) => l.id).join(','), ...audit.map((e) => `${e.action} ${e.subject}`)]));
    let unreadable = false;
    const deps = {
      config, logger: silentLogger(), audit: { append: (entry: (typeof audit)[number]) => audit.push(entry) },
      lists: { listsDir, reload: async () => {
        if (unreadable) throw new Error('extra2.txt: cannot be read');
        return { lists: [], compileMs: 1, names: 2, loadedAt: null, fromCache: false, files: [] };
      } },
      now: () => new Date('2026-12-07T10:00:00Z'),
    };
    const before = config.current.lists.map((l) => l.id).join(',');
    const category = config.current.lists[0]?.category ?? 'adult';
    await importList(deps, { text: 'a.example\n', fileName: 'extra.txt', category }, 'ssh:tech');
    expect(heard.at(-1)).toEqual([`${before},extra`, 'lists.import extra']);

    await removeList(deps, { name: 'extra' }, 'ssh:tech');
    expect(heard.at(-1)).toEqual([before, 'lists.import extra', 'lists.remove extra']);
    expect(audit.at(-1)?.details).toMatchObject({ file: 'extra.txt', keepAs: join(listsDir, 'extra.txt.removed-2026-12-07T10-00-00-000Z') });
    expect(await readdir(listsDir)).toContain('extra.txt.removed-2026-12-07T10-00-00-000Z');

    unreadable = true;
    await expect(importList(deps, { text: 'b.example\n', fileName: 'extra2.txt', category }, 'ssh:tech')).rejects.toMatchObject({ code: 'lists-unreadable' });
    expect(heard.slice(-2)).toEqual([
      [`${before},extra2`, 'lists.import extra', 'lists.remove extra', 'lists.import extra2'],
      [before, 'lists.import extra', 'lists.remove extra', 'lists.import extra2', 'lists.undo extra2'],
    ]);
    expect(audit.at(-1)).toMatchObject({ actor: 'ssh:tech', details: { undid: 'lists.import', reason: 'extra2.txt: cannot be read' } });
    expect(await readdir(listsDir)).not.toContain('extra2.txt');
  });
});
