// The fake internet in `wan`: an authoritative-only resolver (dnsmasq, never forwards), web
// servers on HTTP and HTTPS (nginx) and a bandwidth target (iperf3). Started in parallel; ready
// when their sockets listen, never after a sleep.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INTERNET } from './addresses.ts';
import { inNamespace } from './exec.ts';
import { waitListening, type Listener } from './readiness.ts';
import type { LabTls } from './tls.ts';
import { CNAMES, HOSTS, TXT, WILDCARDS } from './zones.ts';

export const DOWNLOAD_PATH = '/download/big.bin';
export const DOWNLOAD_BYTES = 256 * 1024 * 1024;
export const TEST_PAGE_TEXT = 'Schoolgate netlab test site';

export interface WanService {
  name: string;
  child: ChildProcess;
  logFile: string;
}

export interface WanServices {
  services: WanService[];
  dnsmasqLog: string;
  nginxAccessLog: string;
}

const READY_TIMEOUT_MS = 10_000;

function startIn(ns: string, name: string, argv: string[], dir: string): WanService {
  const logFile = join(dir, `${name}.out`);
  const fd = openSync(logFile, 'a');
  const [file, ...args] = inNamespace(ns, argv);
  const child = spawn(file!, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.on('error', () => {}); // surfaces as an exit before listening
  return { name, child, logFile };
}

async function tail(file: string): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.split('\n').slice(-30).join('\n');
  } catch {
    return '';
  }
}

function dnsmasqArgs(dir: string, log: string): string[] {
  const args = [
    '/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll',
    '--bind-interfaces', `--listen-address=${INTERNET.resolver}`, '--port=53', '--user=root', '--group=root',
    `--pid-file=${join(dir, 'dnsmasq.pid')}`, `--log-facility=${log}`, '--log-queries=extra',
    // Anything not listed below is NXDOMAIN: this resolver knows the test zones and nothing else.
    '--local=/#/',
  ];
  for (const [name, address] of Object.entries(HOSTS)) args.push(`--host-record=${name},${address}`);
  for (const [domain, address] of Object.entries(WILDCARDS)) args.push(`--address=/${domain}/${address}`);
  for (const [alias, target] of Object.entries(CNAMES)) args.push(`--cname=${alias},${target}`);
  for (const [name, text] of Object.entries(TXT)) args.push(`--txt-record=${name},${text}`);
  return args;
}

const PROBE_FILES: Record<string, string> = {
  'hotspot-detect.html': '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>\n',
  'library/test/success.html': '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>\n',
  'connecttest.txt': 'Microsoft Connect Test',
  'success.txt': 'success\n',
  'canonical.html': '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>',
};

async function writeSite(root: string): Promise<void> {
  await mkdir(join(root, 'download'), { recursive: true });
  await mkdir(join(root, 'library/test'), { recursive: true });
  await writeFile(join(root, 'index.html'), `<!doctype html>\n<html><head><title>${TEST_PAGE_TEXT}</title></head><body><h1>${TEST_PAGE_TEXT}</h1></body></html>\n`);
  await Promise.all(Object.entries(PROBE_FILES).map(([path, body]) => writeFile(join(root, path), body)));
  // Sparse: a quarter gigabyte to download that costs no disk.
  const big = await open(join(root, DOWNLOAD_PATH), 'w');
  await big.truncate(DOWNLOAD_BYTES);
  await big.close();
}

function nginxConf(dir: string, root: string, tls: LabTls, accessLog: string): string {
  const addrs = [INTERNET.web, INTERNET.web2, INTERNET.safeSearch];
  const listens = addrs.flatMap((a) => [
    `    listen ${a}:${INTERNET.httpPort} default_server;`,
    `    listen ${a}:${INTERNET.httpsPort} ssl default_server;`,
  ]).join('\n');
  const tmp = join(dir, 'nginx-tmp');
  return `user root;
daemon off;
master_process on;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'nginx-error.log')} warn;
events { worker_connections 512; }
http {
  types { text/html html; text/plain txt; application/octet-stream bin; }
  default_type application/octet-stream;
  log_format netlab '$remote_addr $scheme $host "$request" $status $body_bytes_sent';
  access_log ${accessLog} netlab;
  client_body_temp_path ${tmp}/body; proxy_temp_path ${tmp}/proxy; fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi; scgi_temp_path ${tmp}/scgi;
  sendfile on;
  server {
${listens}
    server_name _;
    ssl_certificate ${tls.certFile};
    ssl_certificate_key ${tls.keyFile};
    root ${root};
    add_header X-Netlab-Server $server_addr always;
    location = /generate_204 { return 204; }
    location = /gen_204 { return 204; }
    # Who the fake internet saw: NAT and routing tests read the source address here.
    location = /whoami {
      default_type application/json;
      return 200 '{"client":"$remote_addr","host":"$host","server":"$server_addr","scheme":"$scheme"}';
    }
    location / { index index.html; }
  }
}
`;
}

export async function startWanServices(wanNs: string, dir: string, tls: LabTls): Promise<WanServices> {
  const root = join(dir, 'www');
  const dnsmasqLog = join(dir, 'dnsmasq.log');
  const nginxAccessLog = join(dir, 'nginx-access.log');
  const nginxConfFile = join(dir, 'nginx.conf');
  await Promise.all([
    writeSite(root),
    writeFile(nginxConfFile, nginxConf(dir, root, tls, nginxAccessLog)),
    mkdir(join(dir, 'nginx-tmp'), { recursive: true }),
  ]);

  const dns = startIn(wanNs, 'dnsmasq', dnsmasqArgs(dir, dnsmasqLog), dir);
  const web = startIn(wanNs, 'nginx', ['/usr/sbin/nginx', '-p', dir, '-c', nginxConfFile, '-e', join(dir, 'nginx-error.log')], dir);
  const iperf = startIn(wanNs, 'iperf3', ['/usr/bin/iperf3', '--server', '--bind', INTERNET.iperf, '--port', String(INTERNET.iperfPort)], dir);
  const services = [dns, web, iperf];

  const webListeners: Listener[] = [INTERNET.web, INTERNET.web2, INTERNET.safeSearch].flatMap((address) => [
    { protocol: 'tcp' as const, address, port: INTERNET.httpPort },
    { protocol: 'tcp' as const, address, port: INTERNET.httpsPort },
  ]);
  try {
    await Promise.all([
      waitListening(dns.child, 'dnsmasq', [
        { protocol: 'udp', address: INTERNET.resolver, port: 53 },
        { protocol: 'tcp', address: INTERNET.resolver, port: 53 },
      ], READY_TIMEOUT_MS, async () => `${await tail(dns.logFile)}\n${await tail(dnsmasqLog)}`),
      waitListening(web.child, 'nginx', webListeners, READY_TIMEOUT_MS,
        async () => `${await tail(web.logFile)}\n${await tail(join(dir, 'nginx-error.log'))}`),
      waitListening(iperf.child, 'iperf3', [{ protocol: 'tcp', address: INTERNET.iperf, port: INTERNET.iperfPort }],
        READY_TIMEOUT_MS, () => tail(iperf.logFile)),
    ]);
  } catch (e) {
    for (const s of services) s.child.kill('SIGKILL');
    throw e;
  }
  return { services, dnsmasqLog, nginxAccessLog };
}
