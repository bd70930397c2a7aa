// The filtering tests' world: a real DnsService on 127.0.0.1 (a kernel-chosen free port), lists
// written to a temp directory and compiled by the real compileLists, a scripted upstream on
// another loopback port, and questions sent over UDP from the address of a pupil, staff, guest or
// outside device. Every packet stays on 127.0.0.0/8.
import dgram from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { CATEGORY_SEVERITY, defaultConfig } from '../../../../firmware/config/defaults.ts';
import type { Config, ListSource } from '../../../../firmware/config/schema.ts';
import type { QueryEvent } from '../../../../firmware/dns/events/event-buffer.ts';
import { DnsService } from '../../../../firmware/dns/service.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { compileLists } from '../../../../firmware/rules/load-lists.ts';
import { decodeReply, type Decoded } from '../decoded.ts';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.ts';

export const PUPIL = '127.20.0.5';
export const STAFF = '127.10.0.9';
export const GUEST = '127.30.0.7';
export const OUTSIDER = '127.99.0.1';

export const GATEWAY = { pupil: '127.20.0.1', staff: '127.10.0.1', guest: '127.30.0.1' } as const;

/** Wednesday 15 January 2025 (GMT, so London time equals UTC). */
export const WEDNESDAY_10AM = Date.UTC(2025, 0, 15, 10, 0, 0);
export const WEDNESDAY_1230 = Date.UTC(2025, 0, 15, 12, 30, 0);

/** A list to write and configure: `text` is the file's content. */
export interface ListSpec {
  id: string;
  category: string;
  text: string;
  format?: ListSource['format'];
  restricted?: boolean;
  name?: string;
}

export function listSource(spec: ListSpec): ListSource {
  return {
    id: spec.id, name: spec.name ?? `List ${spec.id}`, category: spec.category, file: `${spec.id}.txt`,
    format: spec.format ?? 'domains', enabled: true, ...(spec.restricted ? { restricted: true } : {}),
  };
}

export function baseConfig(upstreamPort: number, lists: readonly ListSpec[] = []): Config {
  const c = defaultConfig();
  c.dns = {
    ...c.dns,
    listen: [{ address: '127.0.0.1', port: 0 }],
    upstreams: [{ name: 'scripted', address: '127.0.0.1', port: upstreamPort }],
    upstreamTimeoutMs: 150,
    rateLimitPerSecond: 100_000,
  };
  c.lists = lists.map(listSource);
  return c;
}

export class Clock {
  ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface World {
  service: DnsService;
  port: number;
  config: Config;
  listsDir: string;
  clock: Clock;
  /** Writes the list files and compiles `config.lists` (the world's config unless given) into the service. */
  loadLists(lists: readonly ListSpec[], config?: Config): Promise<void>;
  ask(name: string, from: string, type?: dnsPacket.RecordType): Promise<Reply>;
  /** Events since the last call. */
  events(): QueryEvent[];
  stop(): Promise<void>;
}

export interface Reply extends Decoded {
  /** String forms of the answer records' data. */
  data: string[];
}

export async function writeLists(dir: string, lists: readonly ListSpec[]): Promise<void> {
  for (const l of lists) await writeFile(join(dir, `${l.id}.txt`), l.text);
}

export async function startWorld(upstream: ScriptedUpstream, options: {
  lists?: ListSpec[];
  edit?: (c: Config) => void;
  at?: number;
} = {}): Promise<World> {
  const lists = options.lists ?? [];
  const config = baseConfig(upstream.port, lists);
  options.edit?.(config);
  const listsDir = await mkdtemp(join(tmpdir(), 'schoolgate-filtering-'));
  const clock = new Clock(options.at ?? WEDNESDAY_10AM);
  const service = new DnsService({ config, severity: CATEGORY_SEVERITY, logger: silentLogger(), resolvConfPath: '/nonexistent', now: clock.now });
  const loadLists = async (next: readonly ListSpec[], c: Config = config): Promise<void> => {
    await writeLists(listsDir, next);
    const compiled = await compileLists(c, { listsDir, seed: 0x5eed });
    service.setLists(compiled.matcher, compiled.listIds, compiled.extras);
  };
  await loadLists(lists);
  await service.start();
  const port = service.stats().listening.find((l) => l.transport === 'udp')!.port;
  return {
    service, port, config, listsDir, clock, loadLists,
    ask: (name, from, type = 'A') => ask(port, name, from, type),
    events: () => service.events.drain(),
    stop: async () => {
      await service.stop();
      await rm(listsDir, { recursive: true, force: true });
    },
  };
}

let nextId = 1;

export async function ask(port: number, name: string, from: string, type: dnsPacket.RecordType = 'A'): Promise<Reply> {
  const id = (nextId++ & 0xffff) || 1;
  const bytes = dnsPacket.encode({
    type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }],
  });
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
  try {
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer for ${name} from ${from}`)), 5000);
      socket.on('message', (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      socket.send(bytes, port, '127.0.0.1');
    });
    const decoded = decodeReply(raw);
    if (decoded.id !== id) throw new Error(`answer for ${name} carries ID ${decoded.id}, asked with ${id}`);
    return Object.assign(decoded, { data: decoded.answers.map((a) => String(a.data)) });
  } finally {
    socket.close();
  }
}

/** The one event for `name` (or "(restricted)") among `events`, failing clearly when absent. */
export function eventFor(events: readonly QueryEvent[], name: string): QueryEvent {
  const found = events.filter((e) => e.name === name);
  if (found.length !== 1) throw new Error(`expected one event for ${name}, found ${found.length}: ${JSON.stringify(events)}`);
  return found[0]!;
}

/**
 * One scripted upstream for a test file (started before its tests, closed after), returned as a
 * stand-in that forwards to it, so tests can name it before it exists.
 */
export function useScriptedUpstream(): ScriptedUpstream {
  let instance: ScriptedUpstream | undefined;
  beforeAll(async () => { instance = await startScriptedUpstream(); });
  afterAll(async () => { await instance?.close(); });
  const live = (): ScriptedUpstream => {
    if (!instance) throw new Error('the scripted upstream is used outside a test');
    return instance;
  };
  return new Proxy({} as ScriptedUpstream, {
    get: (_target, key) => Reflect.get(live(), key),
    set: (_target, key, value) => Reflect.set(live(), key, value),
  });
}

/** startWorld for a test file: every world a test starts is stopped after it, and the upstream reset. */
export function useWorlds(upstream: ScriptedUpstream): (options?: Parameters<typeof startWorld>[1]) => Promise<World> {
  const worlds: World[] = [];
  afterEach(async () => {
    await Promise.all(worlds.splice(0).map((w) => w.stop()));
    upstream.clear();
  });
  return async (options) => {
    const w = await startWorld(upstream, options);
    worlds.push(w);
    return w;
  };
}
