// Runs inside a lab namespace (ip netns exec … node connect-rtt.ts HOST PORT COUNT): opens COUNT
// TCP connections one after another and prints how long each handshake took, in microseconds,
// as one JSON array. Every connection is new, so every one walks the gateway's whole ruleset
// (connection tracking's shortcut only helps the packets after the handshake). Each is closed
// with a reset, so neither side piles up TIME_WAIT sockets across the rounds.
import { connect } from 'node:net';

const [host, portText, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
if (!host || !Number.isInteger(port) || !Number.isInteger(count) || count < 1) {
  process.stderr.write('usage: connect-rtt.ts HOST PORT COUNT\n');
  process.exit(2);
}

function once(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = connect({ host, port, noDelay: true });
    socket.once('connect', () => {
      const us = Number(process.hrtime.bigint() - started) / 1000;
      socket.resetAndDestroy();
      resolve(us);
    });
    socket.once('error', reject);
  });
}

const samples: number[] = [];
for (let i = 0; i < count; i++) samples.push(await once());
process.stdout.write(`${JSON.stringify(samples.map((us) => Math.round(us)))}\n`);
