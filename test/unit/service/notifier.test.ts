// The daemon's sd_notify side against a real unix datagram socket, bound the way systemd binds its
// own (notify-receiver.c beside this file, compiled here: Node cannot bind one): netio's sdNotify
// reaches a path and an abstract name with the sender's credentials, the notifier sends what each
// moment calls for and feeds the watchdog, and the real daemon says READY=1 once DNS answers,
// RELOADING=1/READY=1 around a SIGHUP and STOPPING=1 at SIGTERM. systemd itself reading them:
// scripts/service-proof/ (npm run test:service).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadNetio, type Netio } from '../../../firmware/native/netio.ts';
import { serviceNotifier } from '../../../firmware/service/notifier.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { startDaemonWithList } from '../../support/daemon.ts';
import { askUdp } from '../../support/upstream.ts';

const netio: Netio = loadNetio().netio ?? ((): never => { throw new Error('netio is not built'); })();
const dir = mkdtempSync(join(tmpdir(), 'schoolgate-notify-'));
const RECEIVER = join(dir, 'notify-receiver');

beforeAll(() => {
  const cc = process.env.CC ?? 'cc';
  const built = spawnSync(cc, ['-O1', '-Wall', '-Wextra', '-Werror', '-o', RECEIVER, join(import.meta.dirname, 'notify-receiver.c')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`${cc} could not build notify-receiver.c: ${built.error?.message ?? ''}${built.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Received { pid: number; text: string }
interface Receiver {
  /** The next datagram (after those already taken) that `wanted` accepts; earlier others are passed over. */
  next(wanted?: (r: Received) => boolean): Promise<Received>;
  close(): void;
}

const receivers: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of receivers.splice(0)) child.kill('SIGKILL');
});

let names = 0;
/** A fresh socket name: a path in the test's directory, or a unique abstract name. */
const socketName = (abstract: boolean): string => (abstract ? `@schoolgate-notify-test/${process.pid}/${names++}` : join(dir, `notify-${names++}.sock`));

async function receiver(name: string): Promise<Receiver> {
  const child = spawn(RECEIVER, [name, '1000000']);
  receivers.push(child);
  const arrived: Received[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  let pending = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const bound = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`notify-receiver exited ${code}: ${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      pending += d;
      if (pending.startsWith('bound\n')) {
        pending = pending.slice('bound\n'.length);
        resolve();
      }
      let end;
      while ((end = pending.indexOf('\0')) >= 0) {
        const record = pending.slice(0, end);
        pending = pending.slice(end + 1);
        const space = record.indexOf(' ');
        arrived.push({ pid: Number(record.slice(0, space)), text: record.slice(space + 1) });
        wake?.();
      }
    });
  });
  await bound;
  return {
    async next(wanted = () => true) {
      for (;;) {
        while (taken < arrived.length) {
          const r = arrived[taken++]!;
          if (wanted(r)) return r;
        }
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    },
    close: () => child.kill('SIGKILL'),
  };
}

describe('netio sdNotify', () => {
  it('sends one datagram to a path and to an abstract name, with this process as the sender', async () => {
    for (const abstract of [false, true]) {
      const name = socketName(abstract);
      const r = await receiver(name);
      netio.sdNotify!(name, 'READY=1\nSTATUS=test');
      expect(await r.next()).toEqual({ pid: process.pid, text: 'READY=1\nSTATUS=test' });
    }
  });

  it('throws with the errno\'s code when nobody listens, and refuses a name that is neither a path nor @abstract', () => {
    expect(() => netio.sdNotify!(join(dir, 'nobody.sock'), 'READY=1')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => netio.sdNotify!('run/notify', 'READY=1')).toThrow(/must start with \/ or @/);
    expect(() => netio.sdNotify!(`/${'x'.repeat(200)}`, 'READY=1')).toThrow(/shorter than 107 bytes/);
    expect(() => netio.sdNotify!(join(dir, 'x.sock'), '')).toThrow(/1 to 4094 bytes/);
  });
});

describe('serviceNotifier', () => {
  it('sends READY, STATUS, RELOADING and STOPPING as the daemon calls them', async () => {
    const name = socketName(true);
    const r = await receiver(name);
    const notifier = serviceNotifier({ logger: silentLogger(), env: { NOTIFY_SOCKET: name }, monotonicUsec: () => 77n });
    notifier.status('starting');
    notifier.ready('answering DNS');
    notifier.reloading();
    notifier.ready('answering DNS again');
    notifier.stopping();
    notifier.close();
    const texts = [];
    for (let i = 0; i < 5; i++) texts.push((await r.next()).text);
    expect(texts).toEqual([
      'STATUS=starting',
      'READY=1\nSTATUS=answering DNS',
      'RELOADING=1\nSTATUS=re-reading the configuration\nMONOTONIC_USEC=77',
      'READY=1\nSTATUS=answering DNS again',
      'STOPPING=1\nSTATUS=stopping',
    ]);
  });

  it('feeds the watchdog at once and then every half of WATCHDOG_USEC', async () => {
    const name = socketName(false);
    const r = await receiver(name);
    const notifier = serviceNotifier({ logger: silentLogger(), env: { NOTIFY_SOCKET: name, WATCHDOG_USEC: '20000' } });
    try {
      for (let i = 0; i < 3; i++) expect(await r.next()).toEqual({ pid: process.pid, text: 'WATCHDOG=1' });
    } finally {
      notifier.close();
    }
  });

  it('does nothing without NOTIFY_SOCKET', () => {
    const sent: string[] = [];
    const notifier = serviceNotifier({ logger: silentLogger(), env: { WATCHDOG_USEC: '20000' }, send: (_s, m) => { sent.push(m); } });
    notifier.ready('x');
    notifier.status('y');
    notifier.reloading();
    notifier.stopping();
    notifier.close();
    expect(sent).toEqual([]);
  });

  it('reports a failing socket once per run of failures, not at every message', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } }));
    let failing = true;
    const sent: string[] = [];
    const notifier = serviceNotifier({
      logger, env: { NOTIFY_SOCKET: '/run/test-notify' },
      send: (_s, m) => {
        if (failing) throw Object.assign(new Error('sendto: Connection refused'), { code: 'ECONNREFUSED' });
        sent.push(m);
      },
    });
    for (let i = 0; i < 5; i++) notifier.status(`try ${i}`);
    failing = false;
    notifier.status('through');
    notifier.close();
    const messages = lines.map((l) => JSON.parse(l) as { msg: string });
    expect(messages.map((m) => m.msg)).toEqual(['service manager notification not sent', 'service manager notifications get through again']);
    expect(sent).toEqual(['STATUS=through']);
  });
});

describe('the daemon under a service manager', () => {
  it('says READY=1 once DNS answers, RELOADING=1 and READY=1 around SIGHUP, STOPPING=1 at SIGTERM, and feeds the watchdog', async () => {
    const name = socketName(true);
    const r = await receiver(name);
    const daemon = await startDaemonWithList('example.org\n', { NOTIFY_SOCKET: name, WATCHDOG_USEC: '2000000' });
    try {
      const pid = daemon.process.pid!;
      const fromDaemon = (prefix: string) => (m: Received): boolean => m.pid === pid && m.text.startsWith(prefix);
      expect((await r.next(fromDaemon('STATUS='))).text).toBe('STATUS=starting: loading the lists');
      expect((await r.next(fromDaemon('READY=1'))).text).toMatch(/^READY=1\nSTATUS=answering DNS; starting /);
      // Ready means useful: DNS answers (a device on the demo staff network, 127.20.0.0/24).
      const answer = await askUdp(daemon.config.dns.listen[0]!, 'www.example.com', { from: '127.20.0.5' });
      expect(answer.answers?.[0]).toMatchObject({ type: 'A', data: '192.0.2.77' });
      expect((await r.next(fromDaemon('STATUS='))).text).toBe('STATUS=answering DNS on 2 sockets for 3 networks');
      await r.next(fromDaemon('WATCHDOG=1'));

      daemon.process.kill('SIGHUP');
      expect((await r.next(fromDaemon('RELOADING=1'))).text).toMatch(/^RELOADING=1\nSTATUS=re-reading the configuration\nMONOTONIC_USEC=\d+$/);
      expect((await r.next(fromDaemon('READY=1'))).text).toBe('READY=1\nSTATUS=answering DNS on 2 sockets for 3 networks');

      expect(await daemon.stop('SIGTERM')).toBe(0);
      expect((await r.next(fromDaemon('STOPPING=1'))).text).toBe('STOPPING=1\nSTATUS=stopping');
    } finally {
      await daemon.cleanup();
    }
  }, 60_000);
});
