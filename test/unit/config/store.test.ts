import { readFileSync } from 'node:fs';
import { copyFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { serializeConfig } from '../../../firmware/config/load.ts';
import { CONFIG_VERSION, type Config } from '../../../firmware/config/schema.ts';
import { ConfigStore, readConfigFile } from '../../../firmware/config/store.ts';
import { ConfigError } from '../../../firmware/config/validate.ts';
import { tempDir, tempFilesIn } from './helpers.ts';

const fixture = new URL('./fixtures/v0-config.json', import.meta.url);

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

async function newFile(contents?: string): Promise<string> {
  const file = join(await tempDir(), 'config.json');
  if (contents !== undefined) await writeFile(file, contents, { mode: 0o644 });
  return file;
}

const mode = async (file: string): Promise<number> => (await stat(file)).mode & 0o777;

describe('ConfigStore.open', () => {
  it('refuses a missing file without createWith, creating nothing', async () => {
    const file = await newFile();
    const error = await configError(ConfigStore.open(file));
    expect(error.source).toBe(file);
    expect(error.issues).toEqual([{ path: '', message: 'file does not exist' }]);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('creates a missing file from createWith, mode 0600, and loads it', async () => {
    const file = join(await tempDir(), 'data', 'config.json');
    const store = await ConfigStore.open(file, { createWith: defaultConfig });
    expect(store.file).toBe(file);
    expect(store.current).toEqual(defaultConfig());
    expect(await mode(file)).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(defaultConfig());
  });

  it('refuses an invalid createWith document and writes nothing', async () => {
    const file = await newFile();
    const bad = (): Config => ({ ...defaultConfig(), site: { name: '', timezone: 'Europe/London' } });
    const error = await configError(ConfigStore.open(file, { createWith: bad }));
    expect(error.issues.map((i) => i.path)).toEqual(['/site/name']);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('loads an existing valid file', async () => {
    const doc = defaultConfig();
    doc.site.name = 'St Example';
    const file = await newFile(serializeConfig(doc));
    const store = await ConfigStore.open(file, { createWith: defaultConfig });
    expect(store.current.site.name).toBe('St Example');
  });

  const broken: [string, string, string, RegExp][] = [
    ['malformed JSON', '{\n  "version": 1,\n  "site": {\n}', '', /invalid JSON at line 4, column 2: unexpected end of file/],
    ['an unknown property', serializeConfig({ ...defaultConfig(), extra: 1 } as Config), '/extra', /unknown property "extra"/],
    ['a semantic error', serializeConfig({ ...defaultConfig(), site: { name: 'X', timezone: 'Atlantis/City' } }), '/site/timezone', /time zone/],
    ['a newer version', serializeConfig({ ...defaultConfig(), version: 9 } as unknown as Config), '/version', /newer Schoolgate/],
  ];

  it.each(broken)('refuses a file with %s, naming the path, and leaves it untouched', async (_name, text, path, message) => {
    const file = await newFile(text);
    const before = await stat(file);
    const error = await configError(ConfigStore.open(file, { createWith: defaultConfig }));
    expect(error.source).toBe(file);
    expect(error.issues.map((i) => i.path)).toEqual([path]);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${file}: ${path || '/'}: `)).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(text);
    const after = await stat(file);
    expect([after.mtimeMs, after.mode, after.ino]).toEqual([before.mtimeMs, before.mode, before.ino]);
    expect(await readdir(join(file, '..'))).toEqual(['config.json']);
  });

  it('reports an unreadable path as a ConfigError', async () => {
    const dir = await tempDir();
    const error = await configError(ConfigStore.open(dir));
    expect(error.issues[0]?.message).toMatch(/cannot read the file/);
  });

  it('migrates a v0 file, keeping the original as .v0.bak first', async () => {
    const file = await newFile();
    await copyFile(fixture, file);
    const original = await readFile(file, 'utf8');
    const store = await ConfigStore.open(file);
    expect(store.current.version).toBe(CONFIG_VERSION);
    expect(store.current.networks[0]!.subnets).toEqual(['10.10.0.0/16']);
    expect(await readFile(`${file}.v0.bak`, 'utf8')).toBe(original);
    expect(await mode(`${file}.v0.bak`)).toBe(0o600);
    const written = await readFile(file, 'utf8');
    expect(JSON.parse(written)).toEqual(store.current);
    expect(await mode(file)).toBe(0o600);

    // Re-opening finds a current document: nothing further is written, the backup stays as it was.
    const fileStat = await stat(file);
    const bakStat = await stat(`${file}.v0.bak`);
    const again = await ConfigStore.open(file);
    expect(again.current).toEqual(store.current);
    expect(await readFile(file, 'utf8')).toBe(written);
    expect((await stat(file)).ino).toBe(fileStat.ino);
    expect((await stat(`${file}.v0.bak`)).mtimeMs).toBe(bakStat.mtimeMs);
  });

  it('refuses a v0 file that migrates to an invalid document, writing no backup', async () => {
    const doc = JSON.parse(await readFile(fixture, 'utf8'));
    doc.networks[1].subnet = '10.10.1.0/24'; // overlaps the staff network once migrated
    doc.networks[1].gateway.ipv4 = '10.10.1.1';
    const text = JSON.stringify(doc);
    const file = await newFile(text);
    const error = await configError(ConfigStore.open(file));
    expect(error.issues.map((i) => i.path)).toEqual(['/networks/1/subnets/0']);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readdir(join(file, '..'))).toEqual(['config.json']);
  });
});

describe('ConfigStore.current', () => {
  it('is deeply frozen', async () => {
    const store = await ConfigStore.open(await newFile(), { createWith: defaultConfig });
    expect(Object.isFrozen(store.current)).toBe(true);
    expect(Object.isFrozen(store.current.networks[0]!.gateway)).toBe(true);
    expect(() => { (store.current.site as { name: string }).name = 'x'; }).toThrow(TypeError);
  });
});

describe('ConfigStore.update', () => {
  it('validates, writes durably and publishes the change', async () => {
    const file = await newFile();
    const store = await ConfigStore.open(file, { createWith: defaultConfig });
    const seen: [string, string][] = [];
    store.onChange((next, previous) => seen.push([next.site.name, previous.site.name]));
    const result = await store.update((draft) => { draft.site.name = 'Renamed'; });
    expect(result.site.name).toBe('Renamed');
    expect(store.current.site.name).toBe('Renamed');
    expect(JSON.parse(await readFile(file, 'utf8')).site.name).toBe('Renamed');
    expect(seen).toEqual([['Renamed', 'Demo Primary School']]);
    expect(await mode(file)).toBe(0o600);
    expect(await tempFilesIn(join(file, '..'))).toEqual([]);
  });

  it('accepts a replacement document returned by the change', async () => {
    const store = await ConfigStore.open(await newFile(), { createWith: defaultConfig });
    const replacement = defaultConfig();
    replacement.retention.queryEventsDays = 7;
    await store.update(() => replacement);
    expect(store.current.retention.queryEventsDays).toBe(7);
  });

  it('edits a copy: changing one shared-looking rule does not change others', async () => {
    // defaultConfig() uses one rule object for several categories.
    const store = await ConfigStore.open(await newFile(), { createWith: defaultConfig });
    await store.update((draft) => { draft.policies[0]!.categories.adult!.watch = true; });
    expect(store.current.policies[0]!.categories.adult!.watch).toBe(true);
    expect(store.current.policies[0]!.categories.malware!.watch).toBeUndefined();
  });

  it('refuses an invalid change: neither memory nor the file changes, no listener hears of it', async () => {
    const file = await newFile();
    const store = await ConfigStore.open(file, { createWith: defaultConfig });
    const bytes = await readFile(file);
    const before = store.current;
    let calls = 0;
    store.onChange(() => { calls++; });
    const error = await configError(store.update((draft) => {
      draft.site.name = 'Would be fine';
      draft.networks[1]!.policy = 'missing';
    }));
    expect(error.source).toBe(file);
    expect(error.issues.map((i) => i.path)).toEqual(['/networks/1/policy']);
    expect(store.current).toBe(before);
    expect(store.current.site.name).toBe('Demo Primary School');
    expect(await readFile(file)).toEqual(bytes);
    expect(calls).toBe(0);
    // The store still works afterwards.
    await store.update((draft) => { draft.site.name = 'Later'; });
    expect(store.current.site.name).toBe('Later');
  });

  it('refuses an unknown property added by a change', async () => {
    const store = await ConfigStore.open(await newFile(), { createWith: defaultConfig });
    const error = await configError(store.update((draft) => { (draft.web as Record<string, unknown>).tls = true; }));
    expect(error.issues).toEqual([{ path: '/web/tls', message: expect.stringMatching(/unknown property "tls"/) }]);
  });

  it('leaves everything unchanged when the change itself throws', async () => {
    const file = await newFile();
    const store = await ConfigStore.open(file, { createWith: defaultConfig });
    const bytes = await readFile(file);
    await expect(store.update((draft) => { draft.site.name = 'half'; throw new Error('boom'); })).rejects.toThrow('boom');
    expect(store.current.site.name).toBe('Demo Primary School');
    expect(await readFile(file)).toEqual(bytes);
  });

  it('serialises concurrent updates: all apply, in call order', async () => {
    const file = await newFile();
    const store = await ConfigStore.open(file, { createWith: defaultConfig });
    const order: number[] = [];
    store.onChange((next) => order.push(next.deviceGroups.length));
    const updates = Array.from({ length: 20 }, (_, i) => store.update((draft) => {
      // Each change reads what the previous one wrote: lost updates would show as missing groups.
      expect(draft.deviceGroups).toHaveLength(i);
      draft.deviceGroups.push({ id: `group-${i}`, name: `Group ${i}` });
    }));
    const bad = store.update((draft) => { draft.site.timezone = 'Nowhere/Else'; });
    const last = store.update((draft) => { draft.site.name = 'After all'; });
    const results = await Promise.all(updates);
    await expect(bad).rejects.toBeInstanceOf(ConfigError);
    await last;
    expect(results.map((r) => r.deviceGroups.length)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(order).toEqual([...Array.from({ length: 20 }, (_, i) => i + 1), 20]);
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as Config;
    expect(onDisk.deviceGroups.map((g) => g.id)).toEqual(Array.from({ length: 20 }, (_, i) => `group-${i}`));
    expect(onDisk.site).toEqual({ name: 'After all', timezone: 'Europe/London' });
  });

  it('keeps notifying other listeners when one throws, and stops after unsubscribe', async () => {
    const store = await ConfigStore.open(await newFile(), { createWith: defaultConfig });
    const heard: string[] = [];
    store.onChange(() => { throw new Error('faulty listener'); });
    const off = store.onChange((next) => heard.push(next.site.name));
    await store.update((draft) => { draft.site.name = 'One'; });
    off();
    await store.update((draft) => { draft.site.name = 'Two'; });
    expect(heard).toEqual(['One']);
  });

  it('tells `written` of the change once it is on disk and before any listener', async () => {
    const file = await newFile();
    const store = await ConfigStore.open(file, { createWith: defaultConfig });
    const order: string[] = [];
    store.onChange((next) => order.push(`listener ${next.site.name}`));
    await store.update((draft) => { draft.site.name = 'Written'; }, (next, previous) => {
      order.push(`written ${next.site.name} after ${previous.site.name}`);
      // What the record is made for is already durable: a crash from here on keeps both.
      order.push(`on disk ${JSON.parse(readFileSync(file, 'utf8')).site.name}`);
    });
    expect(order).toEqual([`written Written after ${defaultConfig().site.name}`, 'on disk Written', 'listener Written']);
  });

  it('still publishes a written change when `written` throws, then rejects with its error', async () => {
    const store = await ConfigStore.open(await newFile(), { createWith: defaultConfig });
    const heard: string[] = [];
    store.onChange((next) => heard.push(next.site.name));
    const failed = await store.update((draft) => { draft.site.name = 'Kept'; }, () => { throw new Error('audit log unavailable'); })
      .then(() => undefined, (e: unknown) => e);
    expect((failed as Error).message).toBe('audit log unavailable');
    expect(heard).toEqual(['Kept']);
    expect(store.current.site.name).toBe('Kept');
  });

  it('does not call `written` for a refused change', async () => {
    const store = await ConfigStore.open(await newFile(), { createWith: defaultConfig });
    let called = false;
    await configError(store.update((draft) => { (draft.site as { name: unknown }).name = 42; }, () => { called = true; }));
    expect(called).toBe(false);
  });
});

describe('readConfigFile', () => {
  it('returns a migrated document without writing anything', async () => {
    const file = await newFile();
    await copyFile(fixture, file);
    const original = await readFile(file, 'utf8');
    const config = await readConfigFile(file);
    expect(config.version).toBe(CONFIG_VERSION);
    expect(await readFile(file, 'utf8')).toBe(original);
    expect(await readdir(join(file, '..'))).toEqual(['config.json']);
  });

  it('throws ConfigError for a missing or invalid file', async () => {
    const file = await newFile();
    expect((await configError(readConfigFile(file))).issues).toEqual([{ path: '', message: 'file does not exist' }]);
    await writeFile(file, '{"version": 1,}');
    expect((await configError(readConfigFile(file))).message).toBe(`${file}: /: invalid JSON at line 1, column 14: trailing comma: nothing follows it`);
  });
});
