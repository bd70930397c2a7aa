// The form the gateway runs in: `npm run build` (dist/) started through bin/schoolgate, as
// `npm start`, the systemd unit and the benchmarks do. Its worker threads (list compiler, query-log
// writer) and its rules/ data must be found from dist/ exactly as from the sources, and the
// command must never run a build older than the sources.
import { existsSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFirmware, BUILT_MAIN } from '../../../scripts/build-firmware.ts';
import { REPO, startDaemonProcess, testConfig, type RunningDaemon } from '../../support/daemon.ts';
import { askUdp, startTestUpstream, type TestUpstream } from '../../support/upstream.ts';

const BIN = join(REPO, 'bin/schoolgate');

describe('the built firmware (npm run build, bin/schoolgate)', () => {
  let upstream: TestUpstream;
  let daemon: RunningDaemon | undefined;
  let built: { atime: Date; mtime: Date };

  beforeAll(() => {
    buildFirmware();
    built = statSync(BUILT_MAIN);
  }, 120_000);
  afterAll(async () => {
    await daemon?.cleanup();
    await upstream?.close();
    // The stale-build test only aged the file: its build time back makes dist/ fresh again.
    if (built) utimesSync(BUILT_MAIN, built.atime, built.mtime);
  });

  it('runs as JavaScript: compiles lists in its worker, filters, forwards and writes the query log', async () => {
    expect(existsSync(BUILT_MAIN)).toBe(true);
    upstream = await startTestUpstream('192.0.2.78');
    const config = await testConfig(upstream);
    config.lists = [{ id: 'adult', name: 'Adult', category: 'adult', file: 'adult.txt', format: 'domains', enabled: true }];
    daemon = await startDaemonProcess(config, { 'lists/adult.txt': 'blocked-everywhere.test\n' }, [BIN]);
    const server = config.dns.listen[0]!;

    // The pupil network's block page: the list was compiled by the compiler thread's built module.
    const blocked = await askUdp(server, 'www.blocked-everywhere.test', { from: '127.20.0.5' });
    expect(blocked.answers?.[0]).toMatchObject({ type: 'A', data: '127.20.0.1' });
    const allowed = await askUdp(server, 'example.com', { from: '127.20.0.5' });
    expect(allowed.answers?.[0]).toMatchObject({ type: 'A', data: '192.0.2.78' });

    const deadline = Date.now() + 10_000;
    let status = JSON.parse((await daemon.cli(['status', '--json'])).stdout);
    while (status.queryLog.written < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = JSON.parse((await daemon.cli(['status', '--json'])).stdout);
    }
    expect(status.memory.form).toBe('built');
    expect(status.lists.names).toBe(1);
    expect(status.dns.counters.byVerdict.blocked).toBe(1);
    expect(status.queryLog.written).toBeGreaterThanOrEqual(2);
    expect(status.queryLog.writeErrors).toBe(0);

    const human = await daemon.cli(['status']);
    expect(human.stdout).toMatch(/memory\s+\d+ MB resident .*built JavaScript/);
    await daemon.cleanup();
    daemon = undefined;
  }, 60_000);

  it('falls back to the TypeScript sources when the build is older than them', async () => {
    // An old build: a source file is newer than dist/firmware/main.js.
    utimesSync(BUILT_MAIN, new Date('2000-01-01'), new Date('2000-01-01'));
    const config = await testConfig(upstream);
    daemon = await startDaemonProcess(config, {}, [BIN]);
    const status = JSON.parse((await daemon.cli(['status', '--json'])).stdout);
    expect(status.memory.form).toBe('source');
  }, 60_000);
});
