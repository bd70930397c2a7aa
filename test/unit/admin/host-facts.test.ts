// The host facts' pure parts: which filesystem holds the data directory, one row per interface
// with its link state, and the short cache that keeps two people refreshing the health page from
// running systeminformation's slow reads twice.
import { expect, it } from 'vitest';
import { CachedRead, diskOf, interfacesOf } from '../../../firmware/admin/host-facts.ts';

it('finds the mount with the longest prefix of the data directory, not a mere string prefix', () => {
  const mounts = [{ mount: '/' }, { mount: '/var' }, { mount: '/var/lib/schoolgate' }, { mount: '/var/li' }];
  expect(diskOf(mounts, '/var/lib/schoolgate')?.mount).toBe('/var/lib/schoolgate');
  expect(diskOf(mounts, '/var/lib/other')?.mount).toBe('/var');
  expect(diskOf(mounts, '/home/x')?.mount).toBe('/');
  expect(diskOf([{ mount: '/boot' }], '/var')).toBeUndefined();
});

it('folds an interface listed per address family into one row; loopback is up though its operstate is unknown; no speed is null', () => {
  const rows = interfacesOf([
    { iface: 'eth0', operstate: 'up', speed: 1000, ip4: '10.0.0.1', mac: '02:00:00:00:00:01', internal: false },
    { iface: 'eth0', operstate: 'up', speed: 1000, ip4: '', mac: '02:00:00:00:00:01', internal: false },
    { iface: 'lo', operstate: 'unknown', speed: -1, ip4: '127.0.0.1', mac: '00:00:00:00:00:00', internal: true },
    { iface: 'wlan0', operstate: 'down', speed: null, ip4: '', mac: '02:00:00:00:00:02', internal: false },
  ]);
  expect(rows).toEqual([
    { name: 'eth0', up: true, state: 'up', speedMbps: 1000, ipv4: ['10.0.0.1'], mac: '02:00:00:00:00:01', internal: false },
    { name: 'wlan0', up: false, state: 'down', speedMbps: null, ipv4: [], mac: '02:00:00:00:00:02', internal: false },
    { name: 'lo', up: true, state: 'unknown', speedMbps: null, ipv4: ['127.0.0.1'], mac: '00:00:00:00:00:00', internal: true },
  ]);
});

it('reads once per TTL, shares a read in flight, and does not keep a failure', async () => {
  let now = 0;
  let reads = 0;
  let fail = false;
  const cached = new CachedRead(async () => {
    reads++;
    if (fail) throw new Error('sensors missing');
    return reads;
  }, 10_000, () => now);
  const [a, b] = await Promise.all([cached.get(), cached.get()]);
  expect([a, b, reads]).toEqual([1, 1, 1]);
  now = 9_999;
  expect(await cached.get()).toBe(1);
  now = 10_000;
  fail = true;
  await expect(cached.get()).rejects.toThrow('sensors missing');
  fail = false;
  expect(await cached.get()).toBe(3);
  expect(reads).toBe(3);
});
