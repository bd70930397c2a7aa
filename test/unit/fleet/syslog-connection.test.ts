// One collector connection against real loopback servers: messages queue while the collector is
// away and arrive, in order and framed, once it is back; a full queue drops its oldest and counts
// them; a broken connection is made again; TLS connects only to a certificate the configured CA
// signed, and a client certificate is presented when given.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../firmware/log.ts';
import { SyslogConnection } from '../../../firmware/fleet/syslog-collector.ts';
import { freePort } from '../../support/ports.ts';

/** Reads octet-counted frames off every connection the server accepts. */
class FrameReader {
  readonly messages: string[] = [];
  readonly #waiters = new Set<() => void>();

  attach(socket: Socket): void {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const space = pending.indexOf(0x20);
        if (space < 0) return;
        const length = Number(pending.subarray(0, space).toString('ascii'));
        if (!Number.isInteger(length)) throw new Error(`not a frame: ${pending.subarray(0, 20).toString()}`);
        if (pending.length < space + 1 + length) return;
        this.messages.push(pending.subarray(space + 1, space + 1 + length).toString('utf8'));
        pending = pending.subarray(space + 1 + length);
        for (const w of [...this.#waiters]) w();
      }
    });
  }

  waitFor(count: number): Promise<string[]> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.messages.length < count) return;
        this.#waiters.delete(check);
        resolve([...this.messages]);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

async function until(what: () => boolean): Promise<void> {
  while (!what()) await new Promise((r) => setTimeout(r, 5));
}

const listen = (server: Server, port: number): Promise<void> => new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const closeServer = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function connection(port: number, over: Partial<ConstructorParameters<typeof SyslogConnection>[0]> = {}): SyslogConnection {
  const c = new SyslogConnection({ host: '127.0.0.1', port, transport: 'tcp', queueSize: 100, logger: silentLogger(), maxBackoffMs: 40, ...over });
  open.push({ close: () => c.close(0) });
  return c;
}

describe('a TCP collector', () => {
  it('queues while the collector is away, then delivers everything in order once it listens', async () => {
    const port = await freePort();
    const c = connection(port);
    c.start();
    c.send(Buffer.from('first'));
    c.send(Buffer.from('second line\nstill second'));
    await until(() => c.status().failures >= 1);
    expect(c.status()).toMatchObject({ state: 'waiting', queued: 2, sent: 0 });
    expect(c.status().lastError).toMatch(/ECONNREFUSED/);

    const reader = new FrameReader();
    const server = createServer((s) => reader.attach(s));
    await listen(server, port);
    open.push({ close: () => closeServer(server) });
    c.send(Buffer.from('third'));
    expect(await reader.waitFor(3)).toEqual(['first', 'second line\nstill second', 'third']);
    expect(c.status()).toMatchObject({ state: 'connected', queued: 0, sent: 3, dropped: 0 });
  });

  it('drops the oldest when the queue is full, and says how many', async () => {
    const port = await freePort();
    const c = connection(port, { queueSize: 10 });
    c.start();
    for (let i = 1; i <= 25; i++) c.send(Buffer.from(`m${i}`));
    expect(c.status()).toMatchObject({ queued: 10, dropped: 15 });
    const reader = new FrameReader();
    const server = createServer((s) => reader.attach(s));
    await listen(server, port);
    open.push({ close: () => closeServer(server) });
    expect(await reader.waitFor(10)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 16}`));
    expect(c.status()).toMatchObject({ queued: 0, sent: 10, dropped: 15 });
  });

  it('connects again after the collector drops the connection', async () => {
    const port = await freePort();
    const reader = new FrameReader();
    const sockets: Socket[] = [];
    const server = createServer((s) => {
      sockets.push(s);
      reader.attach(s);
    });
    await listen(server, port);
    open.push({ close: () => closeServer(server) });
    const c = connection(port);
    c.start();
    c.send(Buffer.from('before'));
    await reader.waitFor(1);
    sockets[0]!.destroy();
    await until(() => c.status().failures === 1 && c.status().state === 'connected');
    expect(c.status().lastError).toBe('the collector closed the connection');
    c.send(Buffer.from('after'));
    expect(await reader.waitFor(2)).toEqual(['before', 'after']);
    expect(sockets).toHaveLength(2);
  });

  it('writes what is queued before it closes', async () => {
    const port = await freePort();
    const reader = new FrameReader();
    const server = createServer((s) => reader.attach(s));
    await listen(server, port);
    open.push({ close: () => closeServer(server) });
    const c = connection(port);
    c.start();
    for (let i = 0; i < 50; i++) c.send(Buffer.from(`stop ${i}`));
    await c.close(5000);
    expect(await reader.waitFor(50)).toHaveLength(50);
    expect(c.status().state).toBe('closed');
    c.send(Buffer.from('after close'));
    expect(c.status().queued).toBe(0);
  });
});

describe('a TLS collector', () => {
  let dir: string;
  const pem: Record<string, string> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sg-syslog-tls-'));
    const run = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    for (const ca of ['ca', 'other-ca']) {
      run('req', '-x509', ...ec, '-subj', `/CN=${ca}`, '-days', '1', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
    }
    const leaf = (name: string, ext: string): void => {
      writeFileSync(join(dir, `${name}.ext`), `${ext}\nbasicConstraints=CA:FALSE\n`);
      run('req', '-new', ...ec, '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
    };
    leaf('collector', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
    leaf('gateway', 'extendedKeyUsage=clientAuth');
    for (const f of ['ca.pem', 'other-ca.pem', 'collector.pem', 'collector.key', 'gateway.pem', 'gateway.key']) pem[f] = readFileSync(join(dir, f), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function tlsCollector(requestCert: boolean): Promise<{ port: number; reader: FrameReader; peers: string[] }> {
    const port = await freePort();
    const reader = new FrameReader();
    const peers: string[] = [];
    const server = createTlsServer({ cert: pem['collector.pem'], key: pem['collector.key'], ca: pem['ca.pem'], requestCert, rejectUnauthorized: requestCert }, (s: TLSSocket) => {
      peers.push(String(s.getPeerCertificate().subject?.CN ?? ''));
      reader.attach(s);
    });
    await listen(server, port);
    open.push({ close: () => closeServer(server) });
    return { port, reader, peers };
  }

  it('connects to a collector whose certificate the configured CA signed, and presents the client certificate', async () => {
    const { port, reader, peers } = await tlsCollector(true);
    const c = connection(port, { transport: 'tls' });
    c.start({ ca: pem['ca.pem']!, cert: pem['gateway.pem']!, key: pem['gateway.key']! });
    c.send(Buffer.from('over tls'));
    expect(await reader.waitFor(1)).toEqual(['over tls']);
    expect(peers).toEqual(['gateway']);
    expect(c.name).toBe(`tls://127.0.0.1:${port}`);
  });

  it('refuses a collector another CA signed, and sends it nothing', async () => {
    const { port, reader } = await tlsCollector(false);
    const c = connection(port, { transport: 'tls' });
    c.start({ ca: pem['other-ca.pem']! });
    c.send(Buffer.from('must not leave'));
    await until(() => c.status().failures >= 1);
    expect(c.status().lastError).toMatch(/certificate/i);
    expect(c.status()).toMatchObject({ queued: 1, sent: 0 });
    expect(reader.messages).toEqual([]);
  });
});
