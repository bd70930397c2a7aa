// A real DNS server on a loopback port (UDP), answering from a per-test table of names, so the
// filtering tests can script exactly what "the internet" says: CNAME chains, private addresses,
// NXDOMAIN with an SOA. It can be switched off (it then takes questions and never answers, as an
// upstream that has gone down), and it records every question it saw.
//   names not in the table   A 192.0.2.80 / AAAA 2001:db8::80, TTL 300; other types NODATA with SOA
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface SeenQuestion {
  name: string;
  type: string;
}

/** What the upstream answers for one name (any type unless `type` is given). */
export interface Script {
  rcode?: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';
  answers?: dnsPacket.Answer[];
  /** An SOA for the negative answer is added automatically for NXDOMAIN/NODATA. */
  noSoa?: boolean;
  /** An Extended DNS Error (RFC 8914) INFO-CODE to attach, as a filtering provider does. */
  ede?: number;
}

const RCODES = { NOERROR: 0, NXDOMAIN: 3, SERVFAIL: 2 } as const;

export interface ScriptedUpstream {
  port: number;
  seen: SeenQuestion[];
  /** Scripts `name` (lower case, no final dot); `type` limits it to one question type. */
  set(name: string, script: Script, type?: string): void;
  clear(): void;
  /** When false, questions are received (and recorded) but never answered. */
  up: boolean;
  /** Names the upstream was asked (lower case), for "never forwarded" assertions. */
  asked(name: string): number;
  close(): Promise<void>;
}

export const DEFAULT_V4 = '192.0.2.80';
export const DEFAULT_V6 = '2001:db8::80';
export const DEFAULT_TTL = 300;

/** A record helper: `rr('a.test', 'CNAME', 'b.test')`. */
export function rr(name: string, type: 'A' | 'AAAA' | 'CNAME', data: string, ttl = DEFAULT_TTL): dnsPacket.Answer {
  return { name, type, data, ttl, class: 'IN' } as dnsPacket.Answer;
}

function soa(zone: string): dnsPacket.Answer {
  return {
    name: zone, type: 'SOA', ttl: 300, class: 'IN',
    data: { mname: 'ns.test', rname: 'hostmaster.test', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 300 },
  } as dnsPacket.Answer;
}

export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const table = new Map<string, Script>();
  const seen: SeenQuestion[] = [];
  const udp = dgram.createSocket('udp4');
  const state = { up: true };

  const answerFor = (query: dnsPacket.Packet): Buffer => {
    const q = query.questions![0]!;
    const name = q.name.toLowerCase();
    const script = table.get(`${q.type} ${name}`) ?? table.get(name);
    let rcode: number = RCODES.NOERROR;
    let answers: dnsPacket.Answer[];
    let noSoa = false;
    let ede: number | undefined;
    if (script) {
      ede = script.ede;
      rcode = RCODES[script.rcode ?? 'NOERROR'];
      answers = script.answers ?? [];
      noSoa = script.noSoa === true;
    } else if (q.type === 'A') {
      answers = [rr(q.name, 'A', DEFAULT_V4)];
    } else if (q.type === 'AAAA') {
      answers = [rr(q.name, 'AAAA', DEFAULT_V6)];
    } else {
      answers = [];
    }
    const negative = rcode === RCODES.NXDOMAIN || (rcode === RCODES.NOERROR && !answers.some((a) => a.type === q.type));
    return dnsPacket.encode({
      type: 'response', id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
      questions: [q], answers,
      authorities: negative && !noSoa ? [soa(name.split('.').slice(-2).join('.'))] : [],
      additionals: ede === undefined ? [] : [{
        type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0,
        options: [{ code: 15, data: Buffer.from([ede >> 8, ede & 0xff]) }],
      } as unknown as dnsPacket.Answer],
    });
  };

  udp.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const q = query.questions?.[0];
    if (!q) return;
    seen.push({ name: q.name.toLowerCase(), type: q.type });
    if (!state.up) return;
    udp.send(answerFor(query), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));

  return {
    port: udp.address().port,
    seen,
    set(name, script, type) {
      table.set(type ? `${type} ${name}` : name, script);
    },
    clear() {
      table.clear();
      seen.length = 0;
      state.up = true;
    },
    get up() {
      return state.up;
    },
    set up(value: boolean) {
      state.up = value;
    },
    asked(name) {
      return seen.filter((s) => s.name === name).length;
    },
    close: () => new Promise<void>((resolve) => udp.close(() => resolve())),
  };
}
