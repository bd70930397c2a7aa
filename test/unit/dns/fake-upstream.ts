// A small real DNS server for the service tests, on a loopback port: answers with dns-packet over
// UDP and TCP, and misbehaves on purpose for a few names.
//   big.test    UDP answer has TC set and no records; TCP answer has 40 A records
//   spoof.test  UDP: an answer with the wrong ID and one for the wrong name first, then the real one
//   (other)     A 192.0.2.80 / AAAA 2001:db8::80
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

export interface Seen {
  transport: 'udp' | 'tcp';
  id: number;
  name: string;
  type: string;
  port: number;
  edns: boolean;
}

export interface FakeUpstream {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

function answerFor(query: dnsPacket.Packet, transport: 'udp' | 'tcp'): Buffer {
  const q = query.questions![0]!;
  const base = { type: 'response' as const, id: query.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: [q] };
  const name = q.name.toLowerCase();
  if (name === 'big.test') {
    if (transport === 'udp') return dnsPacket.encode({ ...base, flags: base.flags | dnsPacket.TRUNCATED_RESPONSE, answers: [] });
    return dnsPacket.encode({ ...base, answers: Array.from({ length: 40 }, (_, i) => ({ type: 'A' as const, name: q.name, ttl: 60, data: `192.0.2.${i + 1}` })) });
  }
  const data = q.type === 'AAAA' ? '2001:db8::80' : name === 'spoof.test' ? '192.0.2.99' : '192.0.2.80';
  const type = q.type === 'AAAA' ? 'AAAA' as const : 'A' as const;
  return dnsPacket.encode({ ...base, answers: [{ type, name: q.name, ttl: 60, data }] });
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const seen: Seen[] = [];
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const query = dnsPacket.decode(msg);
    const q = query.questions![0]!;
    seen.push({ transport: 'udp', id: query.id!, name: q.name, type: q.type, port: rinfo.port, edns: (query.additionals ?? []).some((a) => a.type === 'OPT') });
    if (q.name.toLowerCase() === 'spoof.test') {
      const wrongId = dnsPacket.encode({ type: 'response', id: (query.id! + 1) & 0xffff, questions: [q], answers: [{ type: 'A', name: q.name, ttl: 60, data: '6.6.6.6' }] });
      const wrongName = dnsPacket.encode({ type: 'response', id: query.id, questions: [{ ...q, name: 'evil.test' }], answers: [{ type: 'A', name: 'evil.test', ttl: 60, data: '6.6.6.7' }] });
      udp.send(wrongId, rinfo.port, rinfo.address);
      udp.send(wrongName, rinfo.port, rinfo.address);
    }
    udp.send(answerFor(query, 'udp'), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
  const port = udp.address().port;

  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        const query = dnsPacket.decode(msg);
        const q = query.questions![0]!;
        seen.push({ transport: 'tcp', id: query.id!, name: q.name, type: q.type, port: socket.remotePort ?? 0, edns: (query.additionals ?? []).some((a) => a.type === 'OPT') });
        const reply = answerFor(query, 'tcp');
        const framed = Buffer.alloc(reply.length + 2);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        socket.write(framed);
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', () => resolve()));

  return {
    port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** A UDP port that takes questions and never answers: an upstream that has gone quiet. */
export async function startSilentUpstream(): Promise<{ port: number; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const udp = dgram.createSocket('udp4');
  udp.on('message', () => { received++; });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: udp.address().port,
    received: () => received,
    close: () => new Promise<void>((resolve) => udp.close(() => resolve())),
  };
}
