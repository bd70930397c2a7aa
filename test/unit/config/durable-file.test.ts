import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { DurableJsonFile, readTextIfExists, removeStaleTempFiles, writeFileDurably } from '../../../firmware/config/durable-file.ts';
import { serializeConfig } from '../../../firmware/config/load.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { bigText } from './fixtures/big-documents.ts';
import { seededRandom, tempDir, tempFilesIn } from './helpers.ts';

const mode = async (file: string): Promise<number> => (await stat(file)).mode & 0o777;

describe('writeFileDurably', () => {
  it('replaces the file with mode 0600 and leaves no temporary file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    await writeFile(file, 'old', { mode: 0o644 });
    await writeFileDurably(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await mode(file)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('honours another mode when asked', async () => {
    const file = join(await tempDir(), 'public.json');
    await writeFileDurably(file, '{}', { mode: 0o644 });
    expect(await mode(file)).toBe(0o644);
  });

  it('removes its temporary file when the rename fails, and keeps the target', async () => {
    const dir = await tempDir();
    const target = join(dir, 'config.json');
    await mkdir(target);
    await writeFile(join(target, 'inside'), 'x'); // a non-empty directory cannot be renamed over
    await expect(writeFileDurably(target, 'new')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    expect(await readdir(dir)).toEqual(['config.json']);
    expect(await readdir(target)).toEqual(['inside']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    const file = join(await tempDir(), 'missing', 'config.json');
    await expect(writeFileDurably(file, 'x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('removeStaleTempFiles', () => {
  it('removes only the temporary files of the named file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    const names = [
      'config.json', 'config.json.v0.bak', '.config.json.tmp-123-0123456789ab', '.config.json.tmp-9-abcdefabcdef',
      '.other.json.tmp-123-0123456789ab', '.config.json.tmp-notes', 'config.json.tmp-123-0123456789ab',
    ];
    for (const name of names) await writeFile(join(dir, name), 'x');
    const removed = await removeStaleTempFiles(file);
    expect(removed.sort()).toEqual(['.config.json.tmp-123-0123456789ab', '.config.json.tmp-9-abcdefabcdef']);
    expect((await readdir(dir)).sort()).toEqual(names.filter((n) => !removed.includes(n)).sort());
  });

  it('is content with a directory that does not exist', async () => {
    expect(await removeStaleTempFiles(join(await tempDir(), 'nope', 'config.json'))).toEqual([]);
  });
});

describe('DurableJsonFile (lowdb adapter)', () => {
  it('reads null for a missing file, and reads back what it wrote', async () => {
    const file = join(await tempDir(), 'data.json');
    const adapter = new DurableJsonFile<{ n: number }>(file);
    expect(await adapter.read()).toBeNull();
    await adapter.write({ n: 3 });
    expect(await adapter.read()).toEqual({ n: 3 });
    expect(await readTextIfExists(file)).toBe('{\n  "n": 3\n}\n');
    expect(await mode(file)).toBe(0o600);
  });

  it('uses the given parse and serialize', async () => {
    const file = join(await tempDir(), 'data.txt');
    const adapter = new DurableJsonFile<number>(file, { serialize: (n) => `n=${n}`, parse: (t) => Number(t.slice(2)) });
    await adapter.write(41);
    expect(await readFile(file, 'utf8')).toBe('n=41');
    expect(await adapter.read()).toBe(41);
  });
});

describe('atomic replacement under kill -9', () => {
  const writer = fileURLToPath(new URL('./fixtures/durable-writer.ts', import.meta.url));
  const seed = Number(process.env.SCHOOLGATE_TEST_SEED ?? 20250901);
  const rounds = 30;

  async function waitForReady(child: ReturnType<typeof spawn>): Promise<void> {
    let out = '';
    for await (const chunk of child.stdout!) {
      out += String(chunk);
      if (out.includes('ready\n')) return;
    }
    throw new Error(`writer exited before it was ready: ${out}`);
  }

  it(`leaves the old or a new complete document, ${rounds} times (seed ${seed})`, async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    const old = serializeConfig(defaultConfig());
    await writeFileDurably(file, old);
    const complete = new Map([[old, 'old'], [bigText('A'), 'A'], [bigText('B'), 'B']]);
    const random = seededRandom(seed);
    const outcomes: string[] = [];
    let interrupted = 0;

    for (let round = 0; round < rounds; round++) {
      const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = once(child, 'exit');
      await waitForReady(child);
      await sleep(random() * 60);
      child.kill('SIGKILL');
      const [code, signal] = await exited;
      expect({ round, code, signal }).toEqual({ round, code: null, signal: 'SIGKILL' });

      const text = await readFile(file, 'utf8');
      const which = complete.get(text);
      expect(which, `round ${round} (seed ${seed}): the file is neither the old nor a new complete document (${text.length} bytes)`).toBeDefined();
      outcomes.push(which!);
      if ((await tempFilesIn(dir)).length > 0) interrupted++;

      const store = await ConfigStore.open(file);
      expect(store.current).toEqual(JSON.parse(text));
      expect(await tempFilesIn(dir), `round ${round}: temporary files left after open`).toEqual([]);
    }
    // The test proves something only if the writer really wrote, and some kills landed mid-write.
    expect(outcomes.filter((o) => o !== 'old').length, `outcomes ${outcomes.join(',')}`).toBeGreaterThan(0);
    expect(interrupted, `no kill landed during a write (seed ${seed})`).toBeGreaterThan(0);
  }, 60_000);
});
