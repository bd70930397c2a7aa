// The host's facts for the health page, read through systeminformation on request and kept for a
// few seconds: some of its reads take half a second on a busy Pi (the interfaces' list runs
// several commands), and a page refreshed by two people must not run them twice. The reads are
// asynchronous (child processes and /proc), so the event loop that also answers DNS waits only
// for the small parsing in between (measured in the report that added this page).
import { loadavg } from 'node:os';
import { resolve, sep } from 'node:path';
import type { HostFacts, HostInterface } from './api/health-schema.ts';

export const HOST_FACTS_TTL_MS = 10_000;

/** The systeminformation calls used, as their results are shaped (only the fields read). */
export interface HostProbe {
  cpuTemperature(): Promise<{ main: number | null }>;
  currentLoad(): Promise<{ currentLoad: number }>;
  mem(): Promise<{ total: number; available: number }>;
  fsSize(): Promise<{ fs: string; mount: string; size: number; available: number }[]>;
  networkInterfaces(): Promise<{ iface: string; operstate: string; speed: number | null; ip4: string; mac: string; internal: boolean }[] | { iface: string }>;
  time(): { uptime: number | string };
  cores(): number;
}

/** The filesystem that holds `path`: the mount with the longest prefix of it. */
export function diskOf<T extends { mount: string }>(mounts: readonly T[], path: string): T | undefined {
  const target = resolve(path);
  let best: T | undefined;
  for (const m of mounts) {
    const mount = m.mount === '/' ? '/' : m.mount.replace(/\/+$/, '');
    const inside = mount === '/' || target === mount || target.startsWith(mount + sep);
    if (inside && (best === undefined || mount.length > best.mount.length)) best = m;
  }
  return best;
}

/** One row per interface (systeminformation lists an interface once per address family). */
export function interfacesOf(list: readonly { iface: string; operstate: string; speed: number | null; ip4: string; mac: string; internal: boolean }[]): HostInterface[] {
  const byName = new Map<string, HostInterface>();
  for (const i of list) {
    // systeminformation reports -1 or 0 where the driver gives no speed (virtual links, loopback).
    const speed = typeof i.speed === 'number' && i.speed > 0 ? i.speed : null;
    const row = byName.get(i.iface) ?? { name: i.iface, up: false, state: i.operstate || 'unknown', speedMbps: speed, ipv4: [], mac: i.mac, internal: i.internal };
    // Loopback and some virtual links report "unknown" while they carry traffic.
    row.up = row.up || i.operstate === 'up' || (i.internal && i.operstate === 'unknown');
    if (i.ip4 && !row.ipv4.includes(i.ip4)) row.ipv4.push(i.ip4);
    byName.set(i.iface, row);
  }
  return [...byName.values()].sort((a, b) => Number(a.internal) - Number(b.internal) || a.name.localeCompare(b.name));
}

/** Reads every fact; one that fails is named in `unreadable` and the rest still shown. */
export async function readHostFacts(probe: HostProbe, dataDir: string, now: () => Date, clock: () => number = () => performance.now()): Promise<HostFacts> {
  const started = clock();
  const unreadable: string[] = [];
  const attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      unreadable.push(`${what}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const [temperature, load, mem, disks, ifaces] = await Promise.all([
    attempt('CPU temperature', () => probe.cpuTemperature()),
    attempt('CPU load', () => probe.currentLoad()),
    attempt('memory', () => probe.mem()),
    attempt('disks', () => probe.fsSize()),
    attempt('interfaces', () => probe.networkInterfaces()),
  ]);
  const disk = disks === undefined ? undefined : diskOf(disks, dataDir);
  if (disks !== undefined && disk === undefined) unreadable.push(`disk: no mounted filesystem holds ${dataDir}`);
  const [l1, l5, l15] = loadavg();
  const temp = temperature?.main;
  return {
    readAt: now().toISOString(),
    readMs: Math.round((clock() - started) * 10) / 10,
    cpu: {
      cores: probe.cores(),
      load: [l1 ?? 0, l5 ?? 0, l15 ?? 0],
      busyPercent: load === undefined || !Number.isFinite(load.currentLoad) ? null : Math.round(load.currentLoad * 10) / 10,
      temperatureC: typeof temp === 'number' && Number.isFinite(temp) ? temp : null,
    },
    memory: { totalBytes: mem?.total ?? 0, availableBytes: mem?.available ?? 0 },
    disk: disk === undefined ? null : { path: resolve(dataDir), mount: disk.mount, device: disk.fs, sizeBytes: disk.size, availableBytes: disk.available },
    uptimeSeconds: Math.round(Number(probe.time().uptime) || 0),
    interfaces: Array.isArray(ifaces) ? interfacesOf(ifaces) : [],
    unreadable,
  };
}

/**
 * A value read at most once per `ttlMs`; callers during a read share it. A failed read is not
 * kept, so the next request tries again.
 */
export class CachedRead<T> {
  readonly #read: () => Promise<T>;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  #value: { at: number; promise: Promise<T> } | undefined;

  constructor(read: () => Promise<T>, ttlMs: number, clock: () => number = () => performance.now()) {
    this.#read = read;
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  get(): Promise<T> {
    const at = this.#clock();
    if (this.#value !== undefined && at - this.#value.at < this.#ttlMs) return this.#value.promise;
    const promise = this.#read();
    const entry = { at, promise };
    this.#value = entry;
    promise.catch(() => {
      if (this.#value === entry) this.#value = undefined;
    });
    return promise;
  }
}

/** The probe over the systeminformation package, loaded on the first health request only. */
export async function systemProbe(): Promise<HostProbe> {
  const si = (await import('systeminformation')).default;
  const { availableParallelism } = await import('node:os');
  return {
    cpuTemperature: () => si.cpuTemperature(),
    currentLoad: () => si.currentLoad(),
    mem: () => si.mem(),
    fsSize: () => si.fsSize(),
    networkInterfaces: () => si.networkInterfaces() as ReturnType<HostProbe['networkInterfaces']>,
    time: () => si.time(),
    cores: () => availableParallelism(),
  };
}
