// Daemon start to first blocked answer with a 1M-name list: cold (no compiled cache: the lists
// are compiled) and warm (the cache from the cold run is loaded). Loopback only; the upstream is
// a port nobody answers on, since a blocked name is never forwarded.
//   node scripts/bench/startup.ts [--domains 1000000] [--runs 3]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanupAll, installExitHandlers, stopChild } from './dns/children.ts';
import { freePort } from './dns/ports.ts';
import { Prober, waitUntilBlocked, describe } from './dns/probe.ts';
import { buildFirmware } from '../build-firmware.ts';
import { benchConfig, SchoolgateProcess } from './dns/schoolgate.ts';
import { generateWorkload, writeWorkload } from './dns/workload.ts';

const { values } = parseArgs({ options: { domains: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } } });
const domains = Number(values.domains);
const runs = Number(values.runs);
const PUPIL_CLIENT = '127.20.0.5';
const BLOCK_PAGE = '127.20.0.1';

installExitHandlers();
buildFirmware(); // the daemon runs as the image runs it: built JavaScript
const work = await mkdtemp(join(tmpdir(), 'sg-startup-'));
try {
  const workload = generateWorkload({ domains, allowed: 10, queries: 10 });
  const files = await writeWorkload(workload, join(work, 'workload'));
  const probe = workload.listed[workload.listed.length - 1]!;
  const prober = await Prober.open(PUPIL_CLIENT);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  /** One start on `dataDir`: ms from spawn to the first blocked answer, and whether the cache was used. */
  const startOnce = async (dataDir: string): Promise<{ ms: number; fromCache: boolean; listsMs: number }> => {
    const config = benchConfig({
      listFile: files.domainList, domains,
      dns: { address: '127.0.0.1', port: await freePort('127.0.0.1') },
      admin: { address: '127.0.0.1', port: await freePort('127.0.0.1') },
      upstream: { address: '127.0.0.1', port: await freePort('127.0.0.1') },
      blockAnswer: 'block-page',
    });
    const daemon = await SchoolgateProcess.start(config, dataDir);
    try {
      const waited = performance.now();
      const result = await waitUntilBlocked(prober, config.dns.listen[0]!, probe, BLOCK_PAGE, 120_000, 2);
      if (result.ms === undefined) throw new Error(`never blocked ${probe}: ${describe(result.last)}\n${daemon.logTail()}`);
      const ms = waited - daemon.spawnedAt + result.ms;
      // DNS answers before the control socket is up: wait for it before asking how lists loaded.
      await daemon.waitReady();
      const { fromCache, compileMs: listsMs } = (await daemon.status()).lists;
      return { ms, fromCache, listsMs };
    } finally {
      // Generous grace: a cold daemon finishes writing the compiled cache before it exits.
      await stopChild(daemon.child, 60_000);
    }
  };

  const cold: number[] = [];
  const warm: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dataDir = join(work, `data-${run}`);
    const c = await startOnce(dataDir);
    const w = await startOnce(dataDir);
    if (c.fromCache || !w.fromCache) throw new Error(`run ${run}: expected a cold then a warm start, got fromCache ${c.fromCache} then ${w.fromCache}`);
    cold.push(c.ms);
    warm.push(w.ms);
    console.log(`run ${run + 1}: cold ${c.ms.toFixed(0)} ms (lists compiled in ${c.listsMs} ms), warm ${w.ms.toFixed(0)} ms (lists loaded in ${w.listsMs} ms)`);
    await rm(dataDir, { recursive: true, force: true });
  }
  prober.close();
  console.log(`startup_1m_cold_ms=${median(cold).toFixed(0)}`);
  console.log(`startup_1m_warm_ms=${median(warm).toFixed(0)}`);
  console.log(`(median of ${runs}; ${domains} listed names; spawn of \`bin/schoolgate run\` (the build) to the first blocked answer for a pupil client)`);
} finally {
  await cleanupAll();
  await rm(work, { recursive: true, force: true });
}
