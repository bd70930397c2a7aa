// The lab's own "done when": a pupil device resolves through Schoolgate to the fake internet's
// resolver and fetches pages from it, a tethered phone gets out through the hotspot's NAT, and
// the whole lab provably has no way to the host or beyond.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { CLIENTS, INTERNET, NAMESPACES, TETHER, WAN_LINK, schoolNetwork } from '../../scripts/netlab/addresses.ts';
import { TEST_PAGE_TEXT } from '../../scripts/netlab/services.ts';
import {
  foreignLinks, hostDestinations, hostLinksIntoLab, hostNamespaceInodes, namespaceInode, routeTo,
} from './support/isolation.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'lab.test' });
const pupilGateway = schoolNetwork('pupil').gateway;

async function dig(ns: 'pupil' | 'staff' | 'guest', server: string, name: string, type = 'A'): Promise<{ answers: string[]; status: string }> {
  const r = await lab().run(ns, ['dig', '+time=2', '+tries=1', `@${server}`, name, type]);
  const status = /status: ([A-Z]+)/.exec(r.stdout)?.[1] ?? 'none';
  const short = await lab().run(ns, ['dig', '+short', '+time=2', '+tries=1', `@${server}`, name, type]);
  return { answers: short.stdout.trim().split('\n').filter(Boolean), status };
}

describe('the fake internet in wan', () => {
  test('its resolver answers the test zones and nothing else', async () => {
    expect((await dig('pupil', INTERNET.resolver, 'school.test')).answers).toEqual([INTERNET.web]);
    expect((await dig('pupil', INTERNET.resolver, 'anything.example.test')).answers).toEqual([INTERNET.web]);
    expect((await dig('pupil', INTERNET.resolver, 'restrict.youtube.com')).answers).toEqual([INTERNET.safeSearch]);
    expect((await dig('pupil', INTERNET.resolver, 'video.school.test')).answers).toEqual(['www.youtube.com.', INTERNET.web]);
    expect((await dig('pupil', INTERNET.resolver, 'txt.school.test', 'TXT')).answers).toEqual(['"schoolgate lab"']);
    // It never forwards: a real name it does not hold is NXDOMAIN, not a lookup on the internet.
    expect((await dig('pupil', INTERNET.resolver, 'www.bbc.co.uk')).status).toBe('NXDOMAIN');
  });

  test('serves the test page over HTTP, and over HTTPS with a certificate from the lab CA', async () => {
    const http = await lab().run('pupil', ['curl', '-sS', '--max-time', '5', `http://${INTERNET.web}/`]);
    expect(http.stdout).toContain(TEST_PAGE_TEXT);
    const https = await lab().run('pupil', ['curl', '-sS', '--max-time', '5', '--cacert', lab().tls.caFile,
      '--resolve', `school.test:443:${INTERNET.web}`, 'https://school.test/']);
    expect(https.stdout).toContain(TEST_PAGE_TEXT);
    // Without the lab CA the same request must fail verification: the certificate is real, not ignored.
    const untrusted = await lab().exec('pupil', ['curl', '-sS', '--max-time', '5', '--resolve', `school.test:443:${INTERNET.web}`, 'https://school.test/']);
    expect(untrusted.code).toBe(60);
  });

  test('answers the operating systems\' captive-portal probes as the real ones do', async () => {
    const fetch = async (url: string): Promise<{ status: string; body: string }> => {
      const r = await lab().run('guest', ['curl', '-sS', '--max-time', '5', '-w', '\n%{http_code}', '--resolve', `${new URL(url).host}:80:${INTERNET.web}`, url]);
      const lines = r.stdout.split('\n');
      return { status: lines.pop()!, body: lines.join('\n') };
    };
    expect((await fetch('http://connectivitycheck.gstatic.com/generate_204')).status).toBe('204');
    expect((await fetch('http://captive.apple.com/hotspot-detect.html')).body).toContain('<TITLE>Success</TITLE>');
    expect((await fetch('http://www.msftconnecttest.com/connecttest.txt')).body).toBe('Microsoft Connect Test');
    expect((await fetch('http://detectportal.firefox.com/success.txt')).body).toBe('success\n');
  });

  test('iperf3 in wan is a bandwidth target a client can measure against', async () => {
    const r = await lab().run('staff', ['iperf3', '--client', INTERNET.iperf, '--port', String(INTERNET.iperfPort), '--time', '1', '--json'], { timeoutMs: 20_000 });
    const result = JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number } } };
    console.log(`iperf3 staff -> wan, unshaped: ${(result.end.sum_received.bits_per_second / 1e6).toFixed(0)} Mbit/s`);
    expect(result.end.sum_received.bits_per_second).toBeGreaterThan(0);
  });
});

describe('a pupil device, through Schoolgate', () => {
  test('Schoolgate starts in gw and reports its status', async () => {
    const gateway = await lab().startGateway();
    expect(gateway.running).toBe(true);
    expect(gateway.status).toBeTypeOf('object');
  });

  test('resolves a test name through Schoolgate at 10.20.0.1 to the wan resolver\'s answer', async () => {
    // A name nobody asked before, so the answer cannot come from a cache: it must reach wan.
    const name = `${randomBytes(4).toString('hex')}.example.test`;
    const r = await dig('pupil', pupilGateway, name);
    expect(r.status).toBe('NOERROR');
    expect(r.answers).toEqual([INTERNET.web]);
    const upstreamLog = await readFile(lab().wan.dnsmasqLog, 'utf8');
    // The wan resolver heard the question from the gateway's uplink address, not from the pupil.
    expect(upstreamLog).toMatch(new RegExp(`query\\[A\\] ${name.replaceAll('.', '\\.')} from ${WAN_LINK.gw.replaceAll('.', '\\.')}`));
  });

  test('fetches a page from wan over HTTP by name, resolved through Schoolgate', async () => {
    // No --resolve: curl uses the namespace's resolv.conf, which names the pupil gateway.
    const r = await lab().run('pupil', ['curl', '-sS', '--max-time', '5', 'http://school.test/whoami']);
    const seen = JSON.parse(r.stdout) as { client: string; host: string };
    expect(seen).toMatchObject({ client: CLIENTS.find((c) => c.ns === 'pupil')!.staticAddress, host: 'school.test' });
  });

  test('stops cleanly on SIGTERM, as systemd stops it', async () => {
    await lab().stopGateway();
    expect(lab().gateway?.exit, lab().gateway?.output()).toEqual({ code: 0, signal: null });
  });
});

describe('a tethered phone behind the hotspot', () => {
  test('reaches wan through the hotspot\'s NAT, seen as the hotspot', async () => {
    const r = await lab().run('tethered', ['curl', '-sS', '--max-time', '5', `http://${INTERNET.web}/whoami`]);
    const seen = JSON.parse(r.stdout) as { client: string };
    expect(seen.client).toBe(CLIENTS.find((c) => c.ns === 'hotspot')!.staticAddress);
    expect(seen.client).not.toBe(TETHER.tethered);
  });
});

describe('isolation, proven without sending anything out', () => {
  test('no lab namespace is the host\'s, and each is its own', () => {
    const inodes = lab().namespaces().map(namespaceInode);
    expect(new Set(inodes).size).toBe(NAMESPACES.length);
    const host = hostNamespaceInodes();
    expect(host.length).toBeGreaterThan(0);
    for (const ino of host) expect(inodes).not.toContain(ino);
  });

  test('every interface is loopback, a bridge, or a veth whose far end is in this lab', async () => {
    expect(await foreignLinks(lab().namespaces())).toEqual([]);
    expect(await hostLinksIntoLab(lab().namespaces())).toEqual([]);
  });

  test('the fake internet has no default route and no route to any of the host\'s addresses or resolvers', async () => {
    const destinations = await hostDestinations();
    expect(destinations).toContain('10.255.255.53');
    for (const family of ['-4', '-6']) {
      expect((await lab().run('wan', ['ip', family, 'route', 'show', 'default'])).stdout.trim()).toBe('');
    }
    for (const d of destinations) expect({ d, route: await routeTo(lab().ns('wan'), d) }).toEqual({ d, route: null });
    // gw sends unknown 10/8 addresses nowhere (the host's resolver is one), and everything else only to wan.
    expect(await routeTo(lab().ns('gw'), '10.255.255.53')).toBeNull();
    for (const d of destinations) {
      const route = await routeTo(lab().ns('gw'), d);
      if (route !== null) expect(route).toContain(`via ${WAN_LINK.wan} dev wan0`);
    }
  });
});
