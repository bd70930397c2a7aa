// Peer-to-peer blocking and filter-bypass enforcement with real traffic. Echo listeners on the
// wan log what reaches them; each refused exchange from pupil (p2p "block" by default) is paired
// with the same bytes from staff (p2p "allow") reaching the same listener, so a listener that
// never came up cannot pass for a rule that works. The attempts end as network events for the
// pupil device, read from state.db after `schoolgate net attempts` (the daemon's minute check, now).
import { DatabaseSync } from 'node:sqlite';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLIENTS, GW_WAN_INTERFACE, INTERNET, schoolNetwork, type LabNs } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT } from '../../scripts/netlab/gateway.ts';
import type { AttemptsView, BypassView, NetView } from '../../firmware/net/net-methods.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'p2p-bypass.test' });
const PUPIL = CLIENTS.find((c) => c.ns === 'pupil')!;
const PEER_PORT = 6881;
const DHT_PORT = 6882;
/** A name the lab's resolver answers (example.test is a wildcard to INTERNET.web), listed here in the bypass category. */
const VPN_NAME = 'vpn.example.test';

// BEP 3: 19, the protocol's name, 8 reserved bytes, the info hash, the peer id (which says who sent it).
const handshake = (who: string): string => `\x13BitTorrent protocol${'\0'.repeat(8)}${'i'.repeat(20)}${`-SG0001-${who}`.padEnd(20, '0')}`;
// BEP 5: a ping query.
const dhtPing = (who: string): string => `d1:ad2:id20:${who.padEnd(20, '0')}e1:q4:ping1:t2:aa1:y1:qe`;
// BEP 29: a uTP connection's first packet (ST_SYN, version 1), then who sent it.
const utpSyn = (who: string): Buffer => Buffer.concat([Buffer.from('4100303900000001000000000010000000010000', 'hex'), Buffer.from(who)]);
// BEP 15: a UDP tracker's connect request (protocol id, action 0, transaction id), then who sent it.
const trackerConnect = (who: string): Buffer => Buffer.concat([Buffer.from('00000417271019800000000012345678', 'hex'), Buffer.from(who)]);

async function cli(args: string[]): Promise<string> {
  return (await lab().run('gw', [NODE, MAIN, ...args, '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT })).stdout;
}

/** An echo listener on the wan that also appends what it receives to `log`. */
async function echo(protocol: 'tcp' | 'udp', port: number, log: string): Promise<void> {
  lab().spawn('wan', ['socat', `${protocol.toUpperCase()}-LISTEN:${port},bind=${INTERNET.web2},fork,reuseaddr`, `SYSTEM:tee -a ${log}`]);
  for (;;) {
    const r = await lab().exec('wan', ['ss', protocol === 'tcp' ? '-Hltn' : '-Hlun', `sport = :${port}`]);
    if (r.stdout.includes(`${INTERNET.web2}:${port}`)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Sends `payload` from `ns` and returns what came back, and socat's warnings (a reset connection). */
async function exchange(ns: LabNs, protocol: 'tcp' | 'udp', port: number, payload: string | Buffer): Promise<{ reply: string; error: string }> {
  const target = `${protocol.toUpperCase()}:${INTERNET.web2}:${port}${protocol === 'tcp' ? ',connect-timeout=3' : ''}`;
  const r = await lab().exec(ns, ['socat', '-d', '-t', '2', '-T', '2', '-', target], { input: payload, timeoutMs: 10_000 });
  return { reply: r.stdout, error: r.stderr };
}

async function web(ns: LabNs): Promise<boolean> {
  return (await lab().exec(ns, ['curl', '-sk', '-o', '/dev/null', '--max-time', '5', `https://${INTERNET.web}/whoami`])).code === 0;
}

async function reaches(ns: LabNs, address: string, port: number): Promise<boolean> {
  const r = await lab().exec(ns, ['socat', '-T', '3', '-', `TCP:${address}:${port},connect-timeout=3`], { timeoutMs: 10_000 });
  return r.stdout.includes('open');
}

describe('peer-to-peer and filter-bypass enforcement', () => {
  test('with a bypass list of the lab\'s own, the gateway says pupil refuses peer-to-peer and staff allows it', async () => {
    const listFile = join(lab().scratch('lists'), 'vpn.txt');
    await writeFile(listFile, `${VPN_NAME}\n`);
    const config = lab().gatewayConfig();
    config.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
    config.lists.push({ id: 'lab-vpn', name: 'Lab VPN provider', category: 'bypass', file: listFile, format: 'domains', enabled: true });
    await lab().startGateway(config);
    const shown = JSON.parse(await cli(['net', 'show', '--json'])) as NetView;
    const p2p = (id: string): string | undefined => shown.networks.find((n) => n.network === id)!.lines.find((l) => l.startsWith('peer-to-peer'));
    expect(p2p('pupil')).toMatch(/refused and counted/);
    expect(p2p('staff')).toBe('peer-to-peer: allowed (p2p "allow")');
  });

  test('a BitTorrent handshake and a tracker announce from pupil are reset before they arrive, while HTTPS passes; from staff they arrive', async () => {
    const log = join(lab().scratch('peer'), 'tcp.log');
    await echo('tcp', PEER_PORT, log);
    expect((await exchange('staff', 'tcp', PEER_PORT, handshake('STAFF'))).reply).toContain('-SG0001-STAFF');
    // The connection itself is fine from pupil: only the handshake is refused.
    expect((await exchange('pupil', 'tcp', PEER_PORT, 'hello\n')).reply).toBe('hello\n');
    const refused = await exchange('pupil', 'tcp', PEER_PORT, handshake('PUPIL'));
    expect(refused.reply).toBe('');
    expect(refused.error).toMatch(/reset by peer/i);
    const received = await readFile(log, 'utf8');
    expect(received).toContain('-SG0001-STAFF');
    expect(received).not.toContain('-SG0001-PUPIL');
    expect(await web('pupil')).toBe(true);
    // A tracker announce over HTTP: the web server answers staff, pupil's request is reset.
    const announce = (ns: LabNs) => lab().exec(ns, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', `http://${INTERNET.web}/announce?info_hash=%12%34&port=6881`]);
    expect((await announce('staff')).stdout).toMatch(/^[2-5]\d\d$/);
    const refusedAnnounce = await announce('pupil');
    expect(refusedAnnounce.code, refusedAnnounce.stderr).toBe(56);
  });

  test('a DHT query, a uTP connection and a UDP tracker connect from pupil are dropped; from staff they are answered', async () => {
    const log = join(lab().scratch('dht'), 'udp.log');
    await echo('udp', DHT_PORT, log);
    expect((await exchange('staff', 'udp', DHT_PORT, dhtPing('STAFF'))).reply).toContain('STAFF');
    expect((await exchange('pupil', 'udp', DHT_PORT, 'ping\n')).reply).toBe('ping\n');
    // No answer here; that the gateway dropped it (rather than lost it) is proved by its count below.
    expect((await exchange('pupil', 'udp', DHT_PORT, dhtPing('PUPIL'))).reply).toBe('');
    // uTP and a UDP tracker's connect likewise.
    expect((await exchange('staff', 'udp', DHT_PORT, utpSyn('STAFF-UTP'))).reply).toContain('STAFF-UTP');
    expect((await exchange('pupil', 'udp', DHT_PORT, utpSyn('PUPIL-UTP'))).reply).toBe('');
    expect((await exchange('staff', 'udp', DHT_PORT, trackerConnect('STAFF-TRACKER'))).reply).toContain('STAFF-TRACKER');
    expect((await exchange('pupil', 'udp', DHT_PORT, trackerConnect('PUPIL-TRACKER'))).reply).toBe('');
    expect(await readFile(log, 'utf8')).not.toContain('PUPIL');
  });

  test('DNS over TLS (853) is refused from pupil', async () => {
    lab().spawn('wan', ['socat', `TCP-LISTEN:853,bind=${INTERNET.resolver},fork,reuseaddr`, 'SYSTEM:echo open']);
    for (;;) {
      const r = await lab().exec('wan', ['ss', '-Hltn', 'sport = :853']);
      if (r.stdout.includes(`${INTERNET.resolver}:853`)) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await reaches('gw', INTERNET.resolver, 853)).toBe(true);
    expect(await reaches('pupil', INTERNET.resolver, 853)).toBe(false);
  });

  test('a bypass name looked up by pupil puts its address in bypass_v4, and HTTPS to it is then refused', async () => {
    expect(await web('pupil')).toBe(true);
    const dig = await lab().exec('pupil', ['dig', '+short', '+time=3', '+tries=1', `@${schoolNetwork('pupil').gateway}`, VPN_NAME]);
    // Answered with the block page: the device never learns the address from Schoolgate.
    expect(dig.stdout.trim(), dig.stdout + dig.stderr).toBe(schoolNetwork('pupil').gateway);
    // Each call waits for what the learner had queued; the question's event reaches it within a turn or two.
    let learned = JSON.parse(await cli(['net', 'bypass', '--json'])) as BypassView;
    while (!learned.v4.includes(INTERNET.web)) learned = JSON.parse(await cli(['net', 'bypass', '--json'])) as BypassView;
    expect(learned.learner.namesLearned).toBeGreaterThanOrEqual(1);
    expect(await web('pupil')).toBe(false);
    expect(await web('staff')).toBe(false);
    // Only 443 of that address: port 80 still answers.
    expect((await lab().exec('pupil', ['curl', '-s', '-o', '/dev/null', '--max-time', '5', `http://${INTERNET.web}/whoami`])).code).toBe(0);
  });

  test('the attempts are network events for the pupil device, once an hour', async () => {
    const found = JSON.parse(await cli(['net', 'attempts', '--json'])) as AttemptsView;
    const pupil = found.attempts.filter((a) => a.mac === PUPIL.mac);
    expect(pupil.map((a) => [a.kind, a.address, a.networkId, a.record]).sort()).toEqual([
      ['net.bypass', PUPIL.staticAddress, 'pupil', true],
      ['net.p2p', PUPIL.staticAddress, 'pupil', true],
    ]);
    // The handshake and the announce (once each: a reset ends the connection), the DHT, uTP and
    // tracker packets (each sent once by socat).
    expect(pupil.find((a) => a.kind === 'net.p2p')!.packets).toBeGreaterThanOrEqual(5);
    // 853 and 443 to the learned address.
    expect(pupil.find((a) => a.kind === 'net.bypass')!.packets).toBeGreaterThanOrEqual(2);
    const db = new DatabaseSync(join(lab().gateway!.dataDir, 'state.db'), { readOnly: true });
    try {
      const events = db.prepare("SELECT kind, network_id, details FROM network_events WHERE kind IN ('net.bypass', 'net.p2p') AND mac = ? ORDER BY kind").all(PUPIL.mac);
      expect(events.map((e) => [e.kind, e.network_id, (JSON.parse(String(e.details)) as { address: string }).address])).toEqual([
        ['net.bypass', 'pupil', PUPIL.staticAddress],
        ['net.p2p', 'pupil', PUPIL.staticAddress],
      ]);
    } finally {
      db.close();
    }
    // Tried again within the hour: counted, not recorded again.
    expect((await exchange('pupil', 'tcp', PEER_PORT, handshake('PUPIL'))).reply).toBe('');
    const again = JSON.parse(await cli(['net', 'attempts', '--json'])) as AttemptsView;
    expect(again.attempts.filter((a) => a.mac === PUPIL.mac)).toMatchObject([{ kind: 'net.p2p', record: false, packets: 1 }]);
  });
});
