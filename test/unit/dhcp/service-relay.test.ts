// The DHCP service end to end on loopback, as a relay agent (a core switch's "ip helper") reaches
// it: a relayed request is served by the network holding its giaddr and answered to the relay on
// port 67 with option 82 echoed; the lease is in state.db, DNS's directory learns and forgets the
// device, malformed and unroutable packets are counted, never answered. Root: the relay's port is 67.
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { formatIPv4, parseIPv4 } from '../../../firmware/dhcp/ipv4.ts';
import { MESSAGE_TYPE, OPT } from '../../../firmware/dhcp/options.ts';
import { parseReply, type ParsedReply } from '../../../firmware/dhcp/packet.ts';
import { DhcpService, type DeviceDirectory } from '../../../firmware/dhcp/service.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { requestBytes, type RequestSpec } from './requests.ts';

const RELAY = '127.20.0.2';
const SERVER = '127.20.0.1';
const MAC = '3c:22:fb:01:a2:9e';
const OPTION_82 = Uint8Array.of(1, 4, 0x67, 0x69, 0x30, 0x31); // circuit id "gi01"

function loopbackConfig(interfaceName = 'lo'): Config {
  const config = defaultConfig();
  for (const network of config.networks) {
    if (network.id !== 'pupil') continue;
    // The relayed network: its subnet lives behind the relay; requests arrive on lo.
    network.interface = interfaceName;
    network.dhcp = { ...network.dhcp!, enabled: true };
  }
  return config;
}

const running: Array<() => void> = [];
afterEach(() => { for (const stop of running.splice(0)) stop(); });

/** A DhcpService on loopback (`state`: an in-memory state.db unless given), started, and stopped with the test. */
function startService(config: Config, directory: DeviceDirectory, state = StateDatabase.open(':memory:')): { service: DhcpService; state: StateDatabase } {
  const service = new DhcpService({ config, state, logger: silentLogger(), serverPort: 0, rogueWatch: false, directory });
  service.start();
  running.push(() => { service.stop(); state.close(); });
  return { service, state };
}

async function relaySocket(): Promise<{ socket: Socket; next: () => Promise<ParsedReply> }> {
  const socket = createSocket('udp4');
  const queue: ParsedReply[] = [];
  const waiting: Array<(r: ParsedReply) => void> = [];
  socket.on('message', (bytes) => {
    const reply = parseReply(new Uint8Array(bytes));
    if (!reply) return;
    const w = waiting.shift();
    if (w) w(reply);
    else queue.push(reply);
  });
  await new Promise<void>((resolve) => socket.bind(67, RELAY, resolve));
  running.push(() => socket.close());
  return {
    socket,
    next: () => new Promise((resolve) => {
      const r = queue.shift();
      if (r) resolve(r);
      else waiting.push(resolve);
    }),
  };
}

describe.skipIf(process.getuid?.() !== 0)('DHCP service behind a relay agent', () => {
  it('serves a relayed DORA by giaddr, answers the relay with 82 echoed, stores the lease and names the device for DNS', async () => {
    const directory: Array<[number, string | undefined]> = [];
    const { service, state } = startService(loopbackConfig(), { setDevice: (address, mac) => { directory.push([address, mac]); } });
    const port = service.listening().find((l) => l.interfaceName === 'lo')!.port;
    const relay = await relaySocket();
    const send = (spec: RequestSpec | Uint8Array): void => {
      const bytes = spec instanceof Uint8Array ? spec : requestBytes({ mac: MAC, giaddr: RELAY, relayInfo: OPTION_82, hostname: 'ipad-12', ...spec });
      relay.socket.send(bytes, port, SERVER);
    };

    send({ type: MESSAGE_TYPE.DISCOVER });
    const offer = await relay.next();
    expect(offer.messageType).toBe(MESSAGE_TYPE.OFFER);
    expect(offer.giaddr).toBe(parseIPv4(RELAY));
    expect(offer.options.get(OPT.RELAY_AGENT_INFO)).toEqual(OPTION_82);
    const address = formatIPv4(offer.yiaddr);
    expect(address).toMatch(/^127\.20\.1\./);

    send({ type: MESSAGE_TYPE.REQUEST, requested: address, serverId: SERVER });
    const ack = await relay.next();
    expect(ack.messageType).toBe(MESSAGE_TYPE.ACK);
    expect(formatIPv4(ack.yiaddr)).toBe(address);
    expect(state.leases.list({ activeAt: new Date() })).toMatchObject([{ networkId: 'pupil', address, mac: MAC, hostname: 'ipad-12', relayAgent: RELAY, relayInfo: '010467693031' }]);
    expect(directory).toEqual([[offer.yiaddr, MAC]]);

    // Garbage and a relay for a subnet we do not serve: counted, never answered.
    send(new Uint8Array(100));
    send({ type: MESSAGE_TYPE.DISCOVER, giaddr: '192.0.2.1' });
    await expect.poll(() => service.stats().malformed.short ?? 0).toBe(1);
    await expect.poll(() => service.stats().unmatched).toBe(1);

    send({ type: MESSAGE_TYPE.RELEASE, ciaddr: address, serverId: SERVER });
    await expect.poll(() => directory.length).toBe(2);
    expect(directory[1]).toEqual([offer.yiaddr, undefined]);
    const pupil = service.stats().networks.find((n) => n.id === 'pupil')!;
    expect(pupil.outcomes).toMatchObject({ offer: 1, ack: 1, released: 1 });
    expect(pupil.used + pupil.free).toBe(pupil.poolSize);
    // Loopback has no ARP: offers go unprobed, and status says why.
    expect(pupil.arpProbe).toMatchObject({ on: false, reason: expect.stringContaining('not an Ethernet interface'), probed: 0 });
  });

  it('serves a network this machine has no interface for only through the relay socket, which leaves direct requests to the interface servers', async () => {
    const { service } = startService(loopbackConfig('sg-nowhere0'), { setDevice: () => undefined });
    expect(service.listening().map((l) => l.interfaceName)).toEqual(['(relay)']);
    const port = service.listening()[0]!.port;
    const relay = await relaySocket();
    relay.socket.send(requestBytes({ type: MESSAGE_TYPE.DISCOVER, mac: MAC }), port, SERVER);
    await expect.poll(() => service.stats().directOnRelay).toBe(1);
    relay.socket.send(requestBytes({ type: MESSAGE_TYPE.DISCOVER, mac: MAC, giaddr: RELAY }), port, SERVER);
    const offer = await relay.next();
    expect(offer.messageType).toBe(MESSAGE_TYPE.OFFER);
    expect(formatIPv4(offer.yiaddr)).toMatch(/^127\.20\.1\./);
    expect(service.stats().networks.find((n) => n.id === 'pupil')!.arpProbe).toMatchObject({ on: false, reason: expect.stringContaining('relay') });
  });

  it('without CAP_NET_RAW it serves without probing, and status says why', () => {
    // A child without the capability (setpriv, util-linux) starts the service on lo and reports.
    const script = `
      import { DhcpService } from ${JSON.stringify(new URL('../../../firmware/dhcp/service.ts', import.meta.url).pathname)};
      import { silentLogger } from ${JSON.stringify(new URL('../../../firmware/log.ts', import.meta.url).pathname)};
      import { StateDatabase } from ${JSON.stringify(new URL('../../../firmware/state/database.ts', import.meta.url).pathname)};
      const service = new DhcpService({ config: JSON.parse(process.argv[1]), state: StateDatabase.open(':memory:'), logger: silentLogger(),
        serverPort: 0, rogueWatch: false, directory: { setDevice: () => undefined } });
      service.start();
      console.log(JSON.stringify(service.stats().networks.find((n) => n.id === 'pupil').arpProbe));
      service.stop();`;
    const child = spawnSync('setpriv', ['--inh-caps=-net_raw', '--bounding-set=-net_raw', process.execPath, '--input-type=module', '-e', script, JSON.stringify(loopbackConfig())], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ on: false, reason: 'no CAP_NET_RAW', probed: 0, inUse: 0, gaveUp: 0, whileProbing: 0 });
  });

  it('puts every lease in force into DNS\'s directory when it starts (a restart forgets no device)', () => {
    const state = StateDatabase.open(':memory:');
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const base = { networkId: 'pupil', clientKey: `mac:${MAC}`, mac: MAC, clientId: null, hostname: '', vendorClass: '', parameters: [], relayAgent: null, relayInfo: null, state: 'bound' as const, updated: new Date().toISOString() };
    state.leases.bind({ ...base, address: '127.20.1.7', expires });
    state.leases.bind({ ...base, mac: '3c:22:fb:01:a2:9f', clientKey: 'mac:3c:22:fb:01:a2:9f', address: '127.20.1.8', expires: '2026-01-01T00:00:00.000Z' });
    const directory: Array<[number, string | undefined]> = [];
    startService(loopbackConfig(), { setDevice: (address, mac) => { directory.push([address, mac]); } }, state);
    expect(directory).toEqual([[parseIPv4('127.20.1.7'), MAC]]);
  });
});
