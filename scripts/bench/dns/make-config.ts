// Writes a Schoolgate configuration for benchmarking by hand: the embedded defaults with DNS on a
// chosen loopback port, one list file under a category the pupil policy blocks, a loopback
// upstream and the per-client rate limit out of the way. The same config `npm run bench:dns` uses.
//   node scripts/bench/dns/make-config.ts --list /tmp/sg-list/listed.domains --port 5354 \
//     --upstream 127.0.0.53#5355 --out /tmp/sg-bench/config.json [--threads 2] [--udp-io node]
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchConfig } from './schoolgate.ts';

const { values } = parseArgs({
  options: {
    list: { type: 'string' },
    port: { type: 'string', default: '5354' },
    address: { type: 'string', default: '127.0.0.1' },
    upstream: { type: 'string', default: '127.0.0.53#5355' },
    'admin-port': { type: 'string', default: '8081' },
    'block-answer': { type: 'string', default: 'nxdomain' },
    out: { type: 'string' },
    threads: { type: 'string', default: '1' },
    'udp-io': { type: 'string', default: 'batched' },
  },
});
const fail = (message: string): never => {
  process.stderr.write(`make-config: ${message}\n`);
  process.exit(2);
};
const list = values.list ? resolve(values.list) : fail('--list FILE is required (one domain a line)');
const out = values.out ? resolve(values.out) : fail('--out FILE is required');
if (!existsSync(list)) fail(`${list} does not exist`);
if (!values.address.startsWith('127.')) fail('--address must be a loopback address (127.0.0.0/8)');
const [upAddress, upPort = '53'] = values.upstream.split('#');
if (!upAddress?.startsWith('127.')) fail('--upstream must be a loopback resolver, ADDRESS#PORT');
const blockAnswer = (['nxdomain', 'null-address', 'block-page'] as const).find((a) => a === values['block-answer'])
  ?? fail('--block-answer: nxdomain, null-address or block-page');
const threads = Number(values.threads);
if (!Number.isInteger(threads) || threads < 1 || threads > 16) fail('--threads N: 1 to 16 (dns.threads)');
const udpIo = (['batched', 'node', 'auto'] as const).find((m) => m === values['udp-io']) ?? fail('--udp-io: batched, node or auto (dns.udpIo)');
const domains = (await readFile(list, 'utf8')).split('\n').filter(Boolean).length;

const config = benchConfig({
  listFile: list,
  domains,
  dns: { address: values.address, port: Number(values.port) },
  admin: { address: '127.0.0.1', port: Number(values['admin-port']) },
  upstream: { address: upAddress!, port: Number(upPort) },
  blockAnswer,
  threads,
  udpIo,
});
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
console.log(`${out}: DNS on ${values.address}:${values.port}, list ${list} (category adult), upstream ${upAddress}#${upPort}`);
