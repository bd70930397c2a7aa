// The query log writer's scheduling class: the policy (idle while it keeps up, normal while it
// catches up) against a recording stand-in, then the kernel's side with the real netio call on a
// real worker thread.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBuffer } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { QueryLog } from '../../../../firmware/monitor/query-log/query-log.ts';
import { LOWER_AT, RAISE_AT, WriterScheduling, canLeaveIdle } from '../../../../firmware/monitor/query-log/writer-scheduling.ts';
import { loadNetio } from '../../../../firmware/native/netio.ts';

function recording(fail?: (idle: boolean) => boolean): { calls: boolean[]; setIdle: (tid: number, idle: boolean) => void } {
  const calls: boolean[] = [];
  return {
    calls,
    setIdle: (tid, idle) => {
      expect(tid).toBe(4242);
      if (fail?.(idle)) throw Object.assign(new Error('sched_setscheduler: Operation not permitted'), { code: 'EPERM' });
      calls.push(idle);
    },
  };
}

describe('WriterScheduling', () => {
  it('puts the writer in the idle class, takes it out when it falls behind and back once it has caught up', () => {
    const r = recording();
    const s = new WriterScheduling({ setIdle: r.setIdle, tid: 4242, logger: silentLogger(), canLeaveIdle: () => true });
    expect(s.state).toBe('idle');
    s.update(RAISE_AT - 1);
    expect(s.state).toBe('idle');
    s.update(RAISE_AT);
    expect(s.state).toBe('catching-up');
    s.update(LOWER_AT + 1);
    expect(s.state).toBe('catching-up');
    s.update(LOWER_AT);
    expect(s.state).toBe('idle');
    expect(s.raised).toBe(1);
    expect(r.calls).toEqual([true, false, true]);
    s.leaveIdle();
    expect(s.state).toBe('normal');
    expect(r.calls).toEqual([true, false, true, false]);
    s.update(RAISE_AT * 2);
    expect(r.calls).toHaveLength(4);
  });

  it('never enters the idle class when it could not leave it again, and says why', () => {
    const r = recording();
    const s = new WriterScheduling({ setIdle: r.setIdle, tid: 4242, logger: silentLogger(), canLeaveIdle: () => false });
    s.update(RAISE_AT);
    expect(s.state).toBe('normal');
    expect(s.reason).toMatch(/LimitNICE/);
    expect(r.calls).toEqual([]);
  });

  it('stays normal without the netio call', () => {
    const s = new WriterScheduling({ setIdle: undefined, tid: 4242, logger: silentLogger(), canLeaveIdle: () => true });
    expect(s.state).toBe('normal');
    expect(s.reason).toMatch(/netio/);
  });

  it('stops trying after a failed change, and reports the class the thread is still in', () => {
    const r = recording((idle) => !idle);
    const s = new WriterScheduling({ setIdle: r.setIdle, tid: 4242, logger: silentLogger(), canLeaveIdle: () => true });
    s.update(RAISE_AT);
    expect(s.state).toBe('idle');
    expect(s.reason).toMatch(/Operation not permitted/);
    s.update(RAISE_AT);
    s.leaveIdle();
    expect(r.calls).toEqual([true]);
  });
});

describe('on this kernel', () => {
  const netio = loadNetio().netio;
  // Field 41 of /proc/<pid>/task/<tid>/stat: 0 SCHED_OTHER, 5 SCHED_IDLE.
  const policy = (tid: number): number => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[38]);
  // What the kernel asks of a thread leaving SCHED_IDLE: CAP_SYS_NICE, or RLIMIT_NICE covering its nice value.
  const mayLeaveIdle = (nice: number): boolean => {
    const caps = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`);
    const limit = Number(/^Max nice priority\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]);
    return (caps & (1n << 23n)) !== 0n || 20 - nice <= limit;
  };

  let worker: Worker | undefined;
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-sched-')); });
  afterEach(async () => {
    await worker?.terminate();
    worker = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function threadId(): Promise<number> {
    worker = new Worker(`
      const { readlinkSync } = require('node:fs');
      require('node:worker_threads').parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').pop()));
      setInterval(() => {}, 1000);`, { eval: true });
    return new Promise((resolve) => worker!.once('message', resolve));
  }

  it('moves one thread into the idle class and back (netio), and probes the permission as the kernel checks it', async (ctx) => {
    if (!netio) {
      ctx.skip(`netio is not built (${loadNetio().reason}): the writer then stays in the normal class`);
      return;
    }
    const tid = await threadId();
    const nice = getPriority(tid);
    expect(canLeaveIdle(tid)).toBe(mayLeaveIdle(nice));
    expect(getPriority(tid)).toBe(mayLeaveIdle(nice) ? nice : nice + 1);
    expect(policy(tid)).toBe(0);
    netio.setIdleScheduling(tid, true);
    expect(policy(tid)).toBe(5);
    expect(policy(process.pid)).toBe(0);
    if (mayLeaveIdle(getPriority(tid))) {
      netio.setIdleScheduling(tid, false);
      expect(policy(tid)).toBe(0);
    } else {
      expect(() => netio.setIdleScheduling(tid, false)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    }
    expect(() => netio.setIdleScheduling(0, true)).toThrow(/tid must be an integer/);
  });

  it('runs the query log writer in the idle class where it may, and still writes every event', async (ctx) => {
    if (!netio) {
      ctx.skip(`netio is not built (${loadNetio().reason})`);
      return;
    }
    const events = new EventBuffer(100);
    const log = await QueryLog.open(join(dir, 'logs.db'), {
      events, logger: silentLogger(), flushIntervalMs: 60_000, setIdleScheduling: (tid, idle) => netio.setIdleScheduling(tid, idle),
    });
    const stats = log.stats();
    if (mayLeaveIdle(getPriority())) {
      expect(stats.writer).toBe('idle');
      expect(stats.writerReason).toBeUndefined();
    } else {
      expect(stats.writer).toBe('normal');
      expect(stats.writerReason).toMatch(/LimitNICE/);
    }
    for (let i = 0; i < 50; i++) events.push({ at: Date.UTC(2026, 11, 6, 9, 0, i), network: 'pupil', client: '10.20.0.9', transport: 'udp', name: `n${i}.example`, qtype: 1, verdict: 'forwarded', rcode: 0, latencyMs: 1 });
    log.flush();
    await expect.poll(() => log.stats().written).toBe(50);
    log.close();
    expect(log.stats().writer).toBe('normal');
  });
});
