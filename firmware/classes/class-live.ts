// What a class's page shows of a lesson, pure: its devices with their questions and blocks, the
// newest lookups, the most-blocked names, from the query log's answer for the class's devices. A
// name a restricted list matched is never shown (the log already holds "(restricted)" in its
// place); a block by the upstream filtering provider, which may be illegal content too, is shown
// the same way. A watched category shows as allowed, with its category.
import type { Device } from '../state/schemas.ts';
import type { DevicesEvents } from '../monitor/query-log/device-events.ts';
import type { ClassLive, ClassLookup } from './class-schema.ts';

const HIDDEN_CATEGORIES = new Set(['restricted', 'upstream-filter']);

export interface LiveInput {
  group: string;
  name: string;
  from: number;
  to: number;
  devices: readonly Pick<Device, 'mac' | 'name' | 'lastSeen'>[];
  log: DevicesEvents;
  titleOf: (category: string) => string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function classLive(i: LiveInput): ClassLive {
  const nameOf = new Map(i.devices.map((d) => [d.mac, d.name || d.mac] as const));
  const counts = new Map(i.log.devices.map((d) => [d.device, d] as const));
  const lookups: ClassLookup[] = i.log.events.map((e) => {
    const restricted = e.category !== undefined && HIDDEN_CATEGORIES.has(e.category);
    const mac = e.device ?? e.client;
    return {
      at: iso(e.at),
      device: nameOf.get(mac) ?? mac,
      mac,
      name: restricted ? null : e.name,
      blocked: e.verdict === 'blocked',
      category: restricted || e.category === undefined ? null : i.titleOf(e.category),
      restricted,
    };
  });
  const devices = i.devices.map((d) => {
    const c = counts.get(d.mac);
    const asked = c ? iso(c.last) : null;
    return { mac: d.mac, name: d.name || d.mac, lastSeen: asked !== null && asked > d.lastSeen ? asked : d.lastSeen, questions: c?.questions ?? 0, blocked: c?.blocked ?? 0 };
  }).sort((a, b) => b.questions - a.questions || a.name.localeCompare(b.name));
  const blockedNames = i.log.blocked
    .filter((b) => b.category === null || !HIDDEN_CATEGORIES.has(b.category))
    .map((b) => ({ name: b.name, category: b.category === null ? null : i.titleOf(b.category), count: b.count, devices: b.devices }));
  return { group: i.group, name: i.name, from: iso(i.from), to: iso(i.to), devices, lookups, blockedNames };
}
