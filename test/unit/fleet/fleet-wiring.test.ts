// The fleet's wiring with the real configuration store and audit log, to a loopback collector:
// committed audit entries and stored alerts go out with the school's identifier, the events
// switches hold, a change of collector moves the messages, and a stop sends what is left.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { Stops } from '../../../firmware/daemon/stops.ts';
import { startFleet } from '../../../firmware/fleet/fleet-wiring.ts';
import { silentLogger } from '../../../firmware/log.ts';
import type { Alert } from '../../../firmware/monitor/alerts/alert-schema.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { freePort } from '../../support/ports.ts';

class Collector {
  readonly messages: string[] = [];
  readonly server: Server;
  readonly #waiters = new Set<() => void>();
  constructor() {
    this.server = createServer((s: Socket) => {
      let pending = Buffer.alloc(0);
      s.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        for (let space = pending.indexOf(0x20); space > 0; space = pending.indexOf(0x20)) {
          const length = Number(pending.subarray(0, space).toString('ascii'));
          if (pending.length < space + 1 + length) break;
          this.messages.push(pending.subarray(space + 1, space + 1 + length).toString('utf8'));
          pending = pending.subarray(space + 1 + length);
        }
        for (const w of [...this.#waiters]) w();
      });
    });
  }

  async listen(): Promise<number> {
    const port = await freePort();
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return port;
  }

  waitFor(done: (messages: readonly string[]) => boolean): Promise<string[]> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!done(this.messages)) return;
        this.#waiters.delete(check);
        resolve([...this.messages]);
      };
      this.#waiters.add(check);
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const alert: Alert = {
  id: 3, kind: 'net.tethering', severity: 'medium', firstAt: '2026-12-07T09:00:00.000Z', lastAt: '2026-12-07T09:00:00.000Z', count: 1,
  networkId: 'pupil', mac: '3c:22:fb:01:a2:9e', address: '10.20.0.5', deviceName: null, subject: 'hotspot', reason: 'TTL 63 seen',
  category: null, details: {}, status: 'open', acknowledgedAt: null, acknowledgedBy: null, note: null, escalationLevel: 0, notifiedAt: null,
};

describe('startFleet', () => {
  let dir: string;
  let state: StateDatabase;
  let config: ConfigStore;
  let stops: Stops;
  const collectors: Collector[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sg-fleet-'));
    state = StateDatabase.open(join(dir, 'state.db'));
    config = await ConfigStore.open(join(dir, 'config.json'), { createWith: defaultConfig, logger: silentLogger() });
    stops = new Stops(silentLogger());
  });
  afterEach(async () => {
    await stops.stopAll();
    state.close();
    await Promise.all(collectors.splice(0).map((c) => c.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function collector(): Promise<{ c: Collector; port: number }> {
    const c = new Collector();
    collectors.push(c);
    return { c, port: await c.listen() };
  }

  it('sends committed audit entries and stored alerts with the school, nothing from before, and the last entries at stop', async () => {
    state.audit.append({ actor: 'system', action: 'daemon.start', details: { before: true } });
    const { c, port } = await collector();
    await config.update((d) => { d.syslog = { school: 'urn-42', collectors: [{ host: '127.0.0.1', port, transport: 'tcp' }] }; });
    const fleet = startFleet({ config, audit: state.audit, dataDir: dir, version: '9.9.9', logger: silentLogger(), stops });
    state.audit.append({ actor: 'account:jo', action: 'policy.edit', subject: 'pupil' });
    fleet.pollAudit();
    fleet.alertStored(alert);
    const got = await c.waitFor((m) => m.length >= 2);
    expect(got[0]).toMatch(/^<134>1 \S+ \S+ schoolgate \d+ audit \[schoolgate@32473 school="urn-42" site="[^"]+" version="9\.9\.9" seq="2" action="policy\.edit" actor="account:jo" subject="pupil"\] policy\.edit by account:jo on pupil$/);
    expect(got[1]).toMatch(/^<132>1 2026-12-07T09:00:00\.000Z \S+ schoolgate \d+ alert \[schoolgate@32473 school="urn-42" .* kind="net\.tethering" severity="medium" network="pupil" mac="3c:22:fb:01:a2:9e"/);
    expect(got.join('\n')).not.toContain('"before"');
    expect(fleet.status()).toMatchObject({ school: 'urn-42', events: 2, collectors: [{ collector: `tcp://127.0.0.1:${port}`, state: 'connected', sent: 2 }] });

    state.audit.append({ actor: 'system', action: 'daemon.stop' });
    await stops.stopAll();
    await c.waitFor((m) => m.some((l) => l.includes('action="daemon.stop"')));
  });

  it('holds to the events switches, and follows a change of collector', async () => {
    const first = await collector();
    const second = await collector();
    await config.update((d) => { d.syslog = { school: 'urn-42', events: { audit: false }, collectors: [{ host: '127.0.0.1', port: first.port, transport: 'tcp' }] }; });
    const fleet = startFleet({ config, audit: state.audit, dataDir: dir, version: '9.9.9', logger: silentLogger(), stops });
    state.audit.append({ actor: 'account:jo', action: 'policy.edit', subject: 'not sent' });
    fleet.pollAudit();
    fleet.alertStored(alert);
    expect(await first.c.waitFor((m) => m.length >= 1)).toEqual([expect.stringMatching(/ alert \[/)]);

    await config.update((d) => { d.syslog = { school: 'urn-43', events: { alerts: false }, collectors: [{ host: '127.0.0.1', port: second.port, transport: 'tcp' }] }; });
    fleet.alertStored({ ...alert, id: 4 });
    state.audit.append({ actor: 'account:jo', action: 'network.edit', subject: 'guest' });
    fleet.pollAudit();
    const got = await second.c.waitFor((m) => m.length >= 1);
    expect(got).toEqual([expect.stringMatching(/ audit \[schoolgate@32473 school="urn-43" .*action="network\.edit"/)]);
    expect(first.c.messages.join('\n')).not.toContain('not sent');
    expect(fleet.status().collectors.map((s) => s.collector)).toEqual([`tcp://127.0.0.1:${second.port}`]);
  });

  it('sends upgrades and backups as messages of their own, with audit entries off too, and a restore done while it was stopped', async () => {
    state.audit.append({ actor: 'system', action: 'daemon.stop' });
    state.audit.append({ actor: 'ssh:root', action: 'backup.restore', subject: '/media/usb/b.sgexport', details: { createdAt: '2026-12-07T02:30:00.000Z', firmwareVersion: '0.2.0' } });
    const { c, port } = await collector();
    await config.update((d) => { d.syslog = { school: 'urn-42', events: { audit: false }, collectors: [{ host: '127.0.0.1', port, transport: 'tcp' }] }; });
    const fleet = startFleet({ config, audit: state.audit, dataDir: dir, version: '9.9.9', logger: silentLogger(), stops });
    state.audit.append({ actor: 'ssh:lee', action: 'upgrade.request', subject: '0.3.0', details: { from: '0.2.0' } });
    state.audit.append({ actor: 'account:jo', action: 'policy.edit', subject: 'not sent' });
    fleet.pollAudit();
    const got = await c.waitFor((m) => m.length >= 2);
    expect(got).toEqual([
      expect.stringMatching(/ backup \[schoolgate@32473 school="urn-42" .*event="restored" file="b\.sgexport" .*actor="ssh:root" seq="2"\] /),
      expect.stringMatching(/ upgrade \[schoolgate@32473 school="urn-42" .*event="requested" from="0\.2\.0" to="0\.3\.0" actor="ssh:lee" seq="3"\] /),
    ]);
    expect(got.join('\n')).not.toContain('not sent');
  });

  it('sends nothing and connects nowhere without collectors', async () => {
    const fleet = startFleet({ config, audit: state.audit, dataDir: dir, version: '9.9.9', logger: silentLogger(), stops });
    fleet.alertStored(alert);
    state.audit.append({ actor: 'system', action: 'daemon.start' });
    fleet.pollAudit();
    expect(fleet.status()).toEqual({ school: null, collectors: [], events: 0 });
  });
});
