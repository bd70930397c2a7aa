// A few questions asked one by one, to see *what* each server answers (dnsperf only counts
// response codes): is a listed name blocked, does an allowed name get its upstream address?
// A mismatch between the two servers shows here before any throughput number is trusted.
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface Server { address: string; port: number }

export type Outcome = 'blocked' | 'allowed' | 'wrong-address' | 'other' | 'timeout';

export interface Answer {
  outcome: Outcome;
  rcode: string;
  addresses: string[];
}

/** One UDP socket bound to a source address, reused for many questions. */
export class Prober {
  readonly #socket: Socket;
  readonly #pending = new Map<number, (reply: dnsPacket.Packet & { rcode?: string }) => void>();
  #nextId = 1;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (message) => {
      let reply: dnsPacket.Packet & { rcode?: string };
      try {
        reply = dnsPacket.decode(message) as dnsPacket.Packet & { rcode?: string };
      } catch {
        return;
      }
      const resolve = this.#pending.get(reply.id ?? -1);
      if (resolve) {
        this.#pending.delete(reply.id!);
        resolve(reply);
      }
    });
  }

  /** `from` decides who Schoolgate thinks is asking: 127.20.0.0/16 is the demo pupil network. */
  static async open(from: string): Promise<Prober> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, from, () => resolve());
    });
    return new Prober(socket);
  }

  close(): void {
    this.#socket.close();
  }

  /** Asks for the A record of `name`; `classify` then says what the answer means. */
  async ask(server: Server, name: string, timeoutMs = 1000): Promise<Answer> {
    const id = this.#nextId;
    this.#nextId = (this.#nextId % 65535) + 1;
    const query = dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] });
    const reply = await new Promise<(dnsPacket.Packet & { rcode?: string }) | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.#pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#socket.send(query, server.port, server.address);
    });
    if (!reply) return { outcome: 'timeout', rcode: 'TIMEOUT', addresses: [] };
    const addresses = (reply.answers ?? []).flatMap((a) => (a.type === 'A' ? [String(a.data)] : []));
    return { outcome: 'other', rcode: reply.rcode ?? 'NOERROR', addresses };
  }
}

/**
 * What a block looks like from either server: NXDOMAIN, 0.0.0.0 (dnsmasq's hosts file, or
 * Schoolgate's null-address), or the block page on the pupil gateway. The benchmark's upstream
 * answers REFUSED for names it does not hold, so an unblocked listed name is never mistaken for
 * a blocked one.
 */
export function classify(answer: Answer, expected: string | undefined, blockPage: string): Answer {
  if (answer.outcome === 'timeout') return answer;
  const blocked = answer.rcode === 'NXDOMAIN'
    || (answer.rcode === 'NOERROR' && answer.addresses.length > 0 && answer.addresses.every((a) => a === '0.0.0.0' || a === blockPage));
  if (blocked) return { ...answer, outcome: 'blocked' };
  if (expected !== undefined && answer.rcode === 'NOERROR' && answer.addresses.length > 0) {
    return { ...answer, outcome: answer.addresses.includes(expected) ? 'allowed' : 'wrong-address' };
  }
  return answer;
}

export type Tally = Record<Outcome, number> & { rcodes: Record<string, number>; example?: string };

export function emptyTally(): Tally {
  return { blocked: 0, allowed: 0, 'wrong-address': 0, other: 0, timeout: 0, rcodes: {} };
}

/** Asks every name (a few at a time, so a slow server does not stall the check) and tallies. */
export async function tallyAnswers(
  prober: Prober, server: Server, names: readonly { name: string; expected?: string }[], blockPage: string,
): Promise<Tally> {
  const tally = emptyTally();
  const parallel = 16;
  for (let i = 0; i < names.length; i += parallel) {
    const batch = names.slice(i, i + parallel);
    const answers = await Promise.all(batch.map((n) => prober.ask(server, n.name)));
    answers.forEach((raw, k) => {
      const a = classify(raw, batch[k]!.expected, blockPage);
      tally[a.outcome]++;
      tally.rcodes[a.rcode] = (tally.rcodes[a.rcode] ?? 0) + 1;
      tally.example ??= `${batch[k]!.name} -> ${a.rcode} ${a.addresses.join(',')}`.trim();
    });
  }
  return tally;
}

/** Polls until `name` is answered as blocked; the elapsed ms, or undefined at the deadline. */
export async function waitUntilBlocked(
  prober: Prober, server: Server, name: string, blockPage: string, deadlineMs: number, intervalMs = 5,
): Promise<{ ms: number | undefined; last: Answer | undefined }> {
  const start = performance.now();
  let last: Answer | undefined;
  while (performance.now() - start < deadlineMs) {
    last = classify(await prober.ask(server, name, 250), undefined, blockPage);
    if (last.outcome === 'blocked') return { ms: performance.now() - start, last };
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return { ms: undefined, last };
}

export function describe(answer: Answer | undefined): string {
  if (!answer) return 'no answer';
  return `${answer.rcode}${answer.addresses.length ? ` ${answer.addresses.join(',')}` : ''}`;
}
