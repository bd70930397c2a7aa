// Feeds a query log `total` events as fast as its writer takes them (the in-flight bound holds
// back the rest), then waits until the buffer has drained: the seeding the logs and review
// benchmarks share.
import type { EventBuffer, EventFields } from '../../firmware/dns/events/event-buffer.ts';
import type { QueryLog } from '../../firmware/monitor/query-log/query-log.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function handOver(log: Pick<QueryLog, 'flush'>, buffer: EventBuffer, total: number, fill: (e: EventFields, i: number) => void): Promise<void> {
  const e: EventFields = {
    at: 0, network: null, client: '', device: undefined, transport: 'udp', name: '', qtype: 1, verdict: 'forwarded', rcode: 0,
    upstream: undefined, category: undefined, list: undefined, watch: false, latencyMs: 0.3,
  };
  let lastReport = performance.now();
  for (let i = 0; i < total;) {
    while (i < total && buffer.size < buffer.capacity) {
      fill(e, i++);
      buffer.record(e);
    }
    while (log.flush() > 0);
    if (buffer.size === buffer.capacity) await sleep(1);
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      process.stderr.write(`  ${(i / 1e6).toFixed(1)}M events handed over\n`);
    }
  }
  while (buffer.size > 0) {
    if (log.flush() === 0) await sleep(1);
  }
}
