// A daemon restarted on the same data directory serves its lists from the compiled cache, and
// says so in `schoolgate status --json`; a changed list file or a damaged cache means a compile.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAIN, REPO, startDaemonWithList, type DaemonWithList } from '../../support/daemon.ts';
import { askUdp } from '../../support/upstream.ts';

let first: DaemonWithList;

beforeAll(async () => { first = await startDaemonWithList('facebook.com\n'); });
afterAll(async () => { await first?.cleanup(); });

/** Starts the daemon again on the first one's data directory and config; resolves once it answers. */
async function restart(): Promise<{ stop: () => Promise<void>; output: () => string }> {
  const child = spawn(process.execPath, [MAIN, 'run', '--config', first.configFile, '--data-dir', first.dataDir], { cwd: REPO });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise((r) => child.on('exit', r));
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`daemon exited:\n${output}`);
    if ((await first.cli(['status', '--json'])).code === 0) break;
    if (tries > 150) throw new Error(`daemon not ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return { stop: async () => { child.kill('SIGTERM'); await exited; }, output: () => output };
}

const fromCache = async (): Promise<boolean> => JSON.parse((await first.cli(['status', '--json'])).stdout).lists.fromCache;
const blocked = async (name: string): Promise<boolean> =>
  ((await askUdp(first.config.dns.listen[0]!, name, { from: '127.20.0.5' })).answers?.[0] as { data?: unknown } | undefined)?.data === '127.20.0.1';

it('a first start compiles; a restart serves from the cache, a changed file or a damaged cache compiles', async () => {
  expect(await fromCache()).toBe(false);
  expect(await first.stop()).toBe(0);

  const warm = await restart();
  expect(await fromCache()).toBe(true);
  expect(await blocked('www.facebook.com')).toBe(true);
  expect(warm.output()).toContain('lists loaded from the compiled cache');
  await warm.stop();

  await writeFile(first.listFile, 'facebook.com\ninstagram.com\n');
  const changed = await restart();
  expect(await fromCache()).toBe(false);
  expect(await blocked('instagram.com')).toBe(true);
  await changed.stop();

  const bin = join(first.dataDir, 'compiled/lists.bin');
  const bytes = await readFile(bin);
  bytes[bytes.length - 4] = bytes[bytes.length - 4]! ^ 0x55;
  await writeFile(bin, bytes);
  const damaged = await restart();
  expect(await fromCache()).toBe(false);
  expect(damaged.output()).toContain('compiled list cache ignored');
  expect(await blocked('instagram.com')).toBe(true);
  await damaged.stop();
  // Four daemon starts: on a loaded 2-core machine each can take several seconds.
}, 120_000);
