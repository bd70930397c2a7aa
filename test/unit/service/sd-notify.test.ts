// The sd_notify protocol's pure side: when the daemon tells systemd anything, how often it feeds
// the watchdog, and what the datagrams say.
import { describe, expect, it } from 'vitest';
import { notifyMessage, notifyPlan, servingStatus } from '../../../firmware/service/sd-notify.ts';

describe('notifyPlan', () => {
  it('sends nothing without NOTIFY_SOCKET (npm start, tests, a shell)', () => {
    expect(notifyPlan({}, 42)).toEqual({ notify: false });
    expect(notifyPlan({ NOTIFY_SOCKET: '', WATCHDOG_USEC: '30000000' }, 42)).toEqual({ notify: false });
  });

  it('takes a path or an @abstract name, and refuses anything else with the reason', () => {
    expect(notifyPlan({ NOTIFY_SOCKET: '/run/systemd/notify' }, 42)).toEqual({ notify: true, socket: '/run/systemd/notify', watchdogIntervalMs: null });
    expect(notifyPlan({ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify/123' }, 42)).toMatchObject({ notify: true, socket: '@/org/freedesktop/systemd1/notify/123' });
    const relative = notifyPlan({ NOTIFY_SOCKET: 'run/notify' }, 42);
    expect(relative.notify).toBe(false);
    expect(relative.problem).toMatch(/neither a path nor an @abstract name/);
  });

  it('feeds the watchdog every half of WATCHDOG_USEC, only when WATCHDOG_PID is unset or this process', () => {
    const env = { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000' };
    expect(notifyPlan(env, 42)).toMatchObject({ watchdogIntervalMs: 15_000 });
    expect(notifyPlan({ ...env, WATCHDOG_PID: '42' }, 42)).toMatchObject({ watchdogIntervalMs: 15_000 });
    expect(notifyPlan({ ...env, WATCHDOG_PID: '41' }, 42)).toMatchObject({ notify: true, watchdogIntervalMs: null });
    // A microsecond-scale watchdog still pings (at least every millisecond), never every 0 ms.
    expect(notifyPlan({ ...env, WATCHDOG_USEC: '1' }, 42)).toMatchObject({ watchdogIntervalMs: 1 });
  });

  it('a WATCHDOG_USEC that is not a positive whole number feeds no watchdog and says why', () => {
    for (const bad of ['0', '-5', '30s', '1e9', '99999999999999999999']) {
      const plan = notifyPlan({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: bad }, 42);
      expect(plan, bad).toMatchObject({ notify: true, watchdogIntervalMs: null });
      expect(plan.problem, bad).toContain(`WATCHDOG_USEC "${bad}"`);
    }
  });
});

describe('notifyMessage', () => {
  it('builds the assignments systemd reads, one per line', () => {
    expect(notifyMessage.ready('answering DNS')).toBe('READY=1\nSTATUS=answering DNS');
    expect(notifyMessage.watchdog()).toBe('WATCHDOG=1');
    expect(notifyMessage.stopping()).toBe('STOPPING=1\nSTATUS=stopping');
    expect(notifyMessage.reloading(123_456_789n)).toBe('RELOADING=1\nSTATUS=re-reading the configuration\nMONOTONIC_USEC=123456789');
  });

  it('keeps a status on one line: a newline in it would start a new assignment', () => {
    expect(notifyMessage.status('did not start: bad file\nREADY=1')).toBe('STATUS=did not start: bad file; READY=1');
    expect(notifyMessage.ready(' a \r\n b ')).toBe('READY=1\nSTATUS=a; b');
  });

  it('says what the running daemon serves', () => {
    expect(servingStatus({ dnsListening: 2, networksEnabled: 3 })).toBe('answering DNS on 2 sockets for 3 networks');
    expect(servingStatus({ dnsListening: 1, networksEnabled: 1 })).toBe('answering DNS on 1 socket for 1 network');
  });
});
