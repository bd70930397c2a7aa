// A small real DNS server on loopback that plays "the internet's resolver" for tests: it answers
// every A question with a fixed address and counts what it was asked.
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface TestUpstream {
  address: string;
  port: number;
  questions: string[];
  close: () => Promise<void>;
}

export async function startTestUpstream(answer = '192.0.2.10', host = '127.0.0.1'): Promise<TestUpstream> {
  const socket: Socket = createSocket('udp4');
  const questions: string[] = [];
  socket.on('message', (message, peer) => {
    let query;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    questions.push(question.name);
    const reply = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: [question],
      answers: question.type === 'A' ? [{ name: question.name, type: 'A', class: 'IN', ttl: 300, data: answer }] : [],
    });
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  return {
    address: host,
    port: socket.address().port,
    questions,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** dns-packet decodes the response code, but its published types leave it out. */
export type Reply = dnsPacket.Packet & { rcode?: string };

/** Asks one question over UDP from a chosen source address (127/8 all works on Linux). */
export async function askUdp(server: { address: string; port: number }, name: string, options: { from?: string; type?: 'A' | 'AAAA' | 'TXT'; timeoutMs?: number } = {}): Promise<Reply> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, options.from ?? '127.0.0.1', () => resolve()));
  try {
    const id = Math.floor(Math.random() * 65535);
    const query = dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: options.type ?? 'A', class: 'IN' }] });
    return await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer for ${name} within ${options.timeoutMs ?? 3000} ms`)), options.timeoutMs ?? 3000);
      socket.on('message', (message) => {
        const reply = dnsPacket.decode(message) as Reply;
        if (reply.id !== id) return;
        clearTimeout(timer);
        resolve(reply);
      });
      socket.send(query, server.port, server.address);
    });
  } finally {
    socket.close();
  }
}
