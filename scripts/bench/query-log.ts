// What the query log costs a gateway at a school's pace: bytes written to the disk (the SD card's
// wear) and CPU per question, through the real QueryLog and its writer thread, with one device
// and with 300. Questions arrive at --rate a second for --seconds, drained every 50 ms as the daemon
// drains them; the writer commits once a second (the daemon's setting) or, for comparison, after
// every batch (--commit-every-ms 50 is how it worked before).
//   npm run bench:querylog [-- --rate 500 --seconds 8 --clients 1,300 --commit-every-ms 1000,50]
import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventBuffer, type QueryEvent } from '../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../firmware/log.ts';
import { QueryLog } from '../../firmware/monitor/query-log/query-log.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '8' },
    clients: { type: 'string', default: '1,300' },
    'commit-every-ms': { type: 'string', default: '1000,50' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const list = (text: string): number[] => text.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const clientCounts = list(values.clients);
const commitIntervals = list(values['commit-every-ms']);
if (!(rate > 0) || !(seconds > 0) || clientCounts.length === 0 || commitIntervals.length === 0) {
  throw new Error('--rate N --seconds N --clients N,N --commit-every-ms N,N: positive numbers');
}

/** Bytes this process has written through write(2) and friends (the writer thread included). */
const written = (): number => Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
/** CPU time of the writer thread (ns, from schedstat): the only worker thread in this process. */
function writerCpuNs(): number {
  for (const tid of readdirSync('/proc/self/task')) {
    if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'WorkerThread') continue;
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  }
  throw new Error('no writer thread');
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function question(i: number, clients: number): QueryEvent {
  const blocked = i % 2 === 0;
  const device = i % clients;
  return {
    at: Date.now(), network: 'pupil', client: `10.20.${device >> 8}.${device & 255}`, transport: 'udp',
    name: `host${i % 5000}.site${i % 977}.example`, qtype: 1, verdict: blocked ? 'blocked' : 'forwarded', rcode: blocked ? 3 : 0,
    latencyMs: 0.3, ...(blocked ? { category: 'adult', list: 'bench' } : { upstream: 'provider' }),
  };
}

async function measure(clients: number, commitEveryMs: number): Promise<{ bytesPerRow: number; writerUsPerRow: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'schoolgate-bench-querylog-'));
  try {
    const events = new EventBuffer(65536);
    const log = await QueryLog.open(join(dir, 'logs.db'), { events, logger: silentLogger(), flushIntervalMs: 50, commitEveryMs });
    const total = Math.round(rate * seconds);
    const bytes0 = written();
    const cpu0 = writerCpuNs();
    const start = performance.now();
    for (let i = 0; i < total;) {
      // Questions arrive on time, in 10 ms steps; the log drains on its own 50 ms timer.
      const due = Math.min(total, Math.round(((performance.now() - start) / 1000) * rate));
      for (; i < due; i++) events.push(question(i, clients));
      await sleep(10);
    }
    // Everything is handed over and counted before close, while the writer thread still runs.
    while (log.flush() > 0);
    await log.count();
    const cpu = writerCpuNs() - cpu0;
    log.close();
    const rows = log.stats().written;
    if (rows !== total) throw new Error(`wrote ${rows} of ${total} rows`);
    return { bytesPerRow: (written() - bytes0) / rows, writerUsPerRow: cpu / 1000 / rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`query log at ${rate} questions/s for ${seconds} s (bytes written include the WAL and its checkpoints)`);
const results: string[] = [];
for (const clients of clientCounts) {
  for (const commitEveryMs of commitIntervals) {
    const r = await measure(clients, commitEveryMs);
    console.log(`  ${String(clients).padStart(4)} devices, commit every ${String(commitEveryMs).padStart(5)} ms: ${r.bytesPerRow.toFixed(0).padStart(6)} B written a row, ${r.writerUsPerRow.toFixed(1).padStart(5)} µs of the writer thread's CPU a row (the last commit not included)`);
    results.push(`querylog_bytes_per_row_clients${clients}_commit${commitEveryMs}ms=${r.bytesPerRow.toFixed(0)}`);
  }
}
console.log(results.join('\n'));
