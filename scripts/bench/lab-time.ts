// How long the lab takes to come up and go away, measured over several rounds (printed, never
// asserted: the machine is shared). Run as root: node scripts/bench/lab-time.ts [rounds] [--gateway]
import { Lab } from '../netlab/lab.ts';

const rounds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5);
const withGateway = process.argv.includes('--gateway');

function summary(label: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `${label.padEnd(22)} median ${median.toFixed(0).padStart(5)} ms   min ${sorted[0]!.toFixed(0).padStart(5)} ms   max ${sorted.at(-1)!.toFixed(0).padStart(5)} ms`;
}

const up: number[] = [];
const gateway: number[] = [];
const down: number[] = [];
for (let i = 0; i < rounds; i++) {
  const lab = await Lab.create({ name: 'bench' });
  up.push(lab.bringUpMs);
  if (withGateway) {
    const t = performance.now();
    await lab.startGateway();
    gateway.push(performance.now() - t);
  }
  await lab.destroy();
  down.push(lab.teardownMs);
}
console.log(`netlab over ${rounds} rounds${withGateway ? ' (with Schoolgate started in gw)' : ''}:`);
console.log(summary('bring-up', up));
if (withGateway) console.log(summary('gateway ready', gateway));
console.log(summary('teardown', down));
console.log(summary('total', up.map((u, i) => u + (gateway[i] ?? 0) + down[i]!)));
