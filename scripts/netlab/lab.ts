// The lab as tests and `npm run lab` use it:
//   const lab = await Lab.create();
//   await lab.startGateway();
//   const r = await lab.exec('pupil', ['dig', '+short', '@10.20.0.1', 'school.test']);
//   await lab.destroy();
// Every live lab is removed when its process exits, is signalled, or crashes; labs whose owner
// died without that chance are removed by the next Lab.create() (or `cli.ts cleanup`).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../firmware/config/schema.ts';
import { silentLogger, type Logger } from '../../firmware/log.ts';
import * as addresses from './addresses.ts';
import { launchChromiumIn, type LabBrowserOptions } from './browser.ts';
import { ISOLATION_NAMESPACES, NAMESPACES, type LabNs } from './addresses.ts';
import { cleanupStaleLabs, ensureDir, labDirectory, newLabId, removeLabSync, writeOwner } from './cleanup.ts';
import { dhcpArgv, readLease, writeDhcpScripts, type DhcpArgvOptions, type DhcpClient, type DhcpScripts, type Lease } from './dhcp-clients.ts';
import { ExecError, check, exec, inNamespace, type ExecOptions, type ExecResult } from './exec.ts';
import { Gateway, labGatewayConfig } from './gateway.ts';
import { startWanServices, type WanServices } from './services.ts';
import { startLabSmtp, type LabSmtp } from './smtp.ts';
import { startLabSyslog, type LabSyslog } from './syslog.ts';
import { createLabTls, type LabTls } from './tls.ts';
import { buildTopology, labNamespaces, type ClientAddressing } from './topology.ts';

export type { LabNs } from './addresses.ts';
export type { ExecResult } from './exec.ts';
export type { Lease } from './dhcp-clients.ts';
export type { LabMail, LabSmtp } from './smtp.ts';
export { mailHeader } from './smtp.ts';
export type { LabSyslog } from './syslog.ts';

export interface LabOptions {
  /** A label for log lines; the namespaces are always named sg-<pid>-<random>-<role>. */
  name?: string;
  log?: Logger;
  /** 'static' (default): clients get fixed addresses; 'none': they wait for DHCP. */
  clients?: ClientAddressing;
  /** 'off' forces one veth per school network even where 802.1Q works. */
  vlans?: 'auto' | 'off';
  /**
   * A second guest device, guest2, on the guest bridge with client isolation (as an access
   * point does it) and proxy ARP on gw, so guest-to-guest traffic goes through the gateway.
   * Off by default: only the test that proves guest isolation needs it.
   */
  guestIsolation?: boolean;
}

const live = new Set<Lab>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // 'exit' runs nothing asynchronous, hence the synchronous removal.
  process.on('exit', () => {
    for (const lab of live) lab.destroySync();
  });
  const signals: [NodeJS.Signals, number][] = [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]];
  for (const [signal, number] of signals) {
    const handler = (): void => {
      for (const lab of live) lab.destroySync();
      // Only we listen: do what the signal would have done. Otherwise the other listener decides.
      if (process.listenerCount(signal) === 1) process.exit(128 + number);
    };
    process.on(signal, handler);
  }
}

export class Lab {
  readonly id: string;
  readonly dir: string;
  readonly label: string;
  readonly log: Logger;
  /** The same constants the topology was built from. */
  readonly addresses = addresses;
  readonly clientAddressing: ClientAddressing;
  /** True when the school networks arrive on gw as 802.1Q sub-interfaces of one trunk. */
  vlans = false;
  tls!: LabTls;
  wan!: WanServices;
  gateway: Gateway | undefined;
  smtp: LabSmtp | undefined;
  syslog: LabSyslog | undefined;
  bringUpMs = 0;
  teardownMs = 0;
  private readonly names: Record<LabNs, string>;
  private readonly built: readonly LabNs[];
  private readonly spawned = new Set<ChildProcess>();
  private dhcpScripts!: DhcpScripts;
  private destroyed = false;
  private destroying: Promise<void> | undefined;

  private constructor(o: LabOptions) {
    this.id = newLabId();
    this.dir = labDirectory(this.id);
    this.label = o.name ?? this.id;
    this.log = (o.log ?? silentLogger()).child({ lab: this.id });
    this.clientAddressing = o.clients ?? 'static';
    this.names = Object.fromEntries([...NAMESPACES, ...ISOLATION_NAMESPACES].map((ns) => [ns, `${this.id}-${ns}`])) as Record<LabNs, string>;
    this.built = labNamespaces(o.guestIsolation === true);
  }

  static async create(o: LabOptions = {}): Promise<Lab> {
    const stale = cleanupStaleLabs();
    const lab = new Lab(o);
    if (stale.length > 0) lab.log.info({ removed: stale }, 'removed labs whose owner had died');
    installExitHandlers();
    live.add(lab);
    const started = performance.now();
    try {
      ensureDir(lab.dir);
      writeOwner(lab.dir);
      const [topology, tls, scripts] = await Promise.all([
        buildTopology({ names: lab.names, dir: lab.dir, clients: lab.clientAddressing, vlans: o.vlans ?? 'auto', guestIsolation: o.guestIsolation === true }),
        createLabTls(lab.dir),
        writeDhcpScripts(lab.dir),
      ]);
      lab.vlans = topology.vlans;
      lab.tls = tls;
      lab.dhcpScripts = scripts;
      lab.wan = await startWanServices(lab.names.wan, lab.dir, tls);
    } catch (e) {
      await lab.destroy();
      throw e;
    }
    lab.bringUpMs = performance.now() - started;
    lab.log.info({ ms: Math.round(lab.bringUpMs), vlans: lab.vlans, label: lab.label }, 'lab up');
    return lab;
  }

  /** The real namespace name, for `ip netns exec`. */
  ns(name: LabNs): string {
    if (!this.built.includes(name)) throw new Error(`this lab has no ${name} namespace (Lab.create({ guestIsolation: true }) builds guest2)`);
    return this.names[name];
  }

  /** Every real namespace name of this lab. */
  namespaces(): string[] {
    return this.built.map((n) => this.names[n]);
  }

  /** Runs a program inside a namespace; never throws on a non-zero exit. */
  exec(ns: LabNs, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return exec(inNamespace(this.ns(ns), argv), options);
  }

  /** Like exec, but a non-zero exit throws an error carrying the output. */
  async run(ns: LabNs, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return check(await this.exec(ns, argv, options));
  }

  /** A long-running program inside a namespace (a DHCP client, an iperf3 client, a browser...). Killed at teardown. */
  spawn(ns: LabNs, argv: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const [file, ...args] = inNamespace(this.ns(ns), argv);
    const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    child.on('error', (e) => this.log.warn({ err: e, argv }, 'spawn failed'));
    this.spawned.add(child);
    child.on('close', () => this.spawned.delete(child));
    return child;
  }

  /** The default Schoolgate configuration for this lab (a fresh copy each call). */
  gatewayConfig(): Config {
    return labGatewayConfig(this.vlans);
  }

  /**
   * Runs Schoolgate in `gw` with `config` (default: gatewayConfig()) and waits until
   * `status --json` answers. The data directory persists across stop/start within the lab.
   */
  async startGateway(config: Config = this.gatewayConfig(), options: { readyTimeoutMs?: number; env?: Record<string, string> } = {}): Promise<Gateway> {
    if (this.gateway?.running) throw new Error('the gateway is already running: stopGateway() first');
    const gateway = new Gateway({ gwNs: this.ns('gw'), dir: this.dir, dataDir: join(this.dir, 'gateway-data') });
    this.gateway = gateway;
    const started = performance.now();
    await gateway.start(config, options.readyTimeoutMs, options.env);
    this.log.info({ ms: Math.round(performance.now() - started), pid: gateway.pid }, 'gateway ready');
    return gateway;
  }

  async stopGateway(): Promise<void> {
    await this.gateway?.stop();
  }

  /**
   * The internet's mail relay (smtp-sink.ts in `wan`, STARTTLS at INTERNET.smtp:smtpPort with the
   * lab's certificate), started once on demand and stopped at teardown. The gateway trusts the
   * lab CA when started with `env: { NODE_EXTRA_CA_CERTS: lab.tls.caFile }`.
   */
  async startSmtp(): Promise<LabSmtp> {
    this.smtp ??= await startLabSmtp(this.ns('wan'), this.tls, (child) => {
      this.spawned.add(child);
      child.on('close', () => this.spawned.delete(child));
    });
    return this.smtp;
  }

  /**
   * The internet's log collector (rsyslog in `wan` at INTERNET.syslog: TCP on syslogTcpPort, TLS
   * with the lab's certificate on syslogTlsPort), started once on demand and stopped at teardown.
   * The gateway verifies it with `caFile: lab.tls.caFile` in its syslog collector.
   */
  async startSyslog(): Promise<LabSyslog> {
    this.syslog ??= await startLabSyslog(this.ns('wan'), this.scratch('syslog'), this.tls, (child) => {
      this.spawned.add(child);
      child.on('close', () => this.spawned.delete(child));
    });
    return this.syslog;
  }

  /** argv + env to run a DHCP client in a namespace with the lab's safe hook script. */
  dhcpCommand(ns: LabNs, client: DhcpClient, options: DhcpArgvOptions = {}): { argv: string[]; env: NodeJS.ProcessEnv } {
    return dhcpArgv(this.dhcpScripts, this.dir, this.ns(ns), client, options);
  }

  /** Gets one lease with a real client (udhcpc or dhclient); the interface is configured from it. */
  async dhcp(ns: LabNs, client: DhcpClient, options: DhcpArgvOptions & { timeoutMs?: number } = {}): Promise<{ lease: Lease; result: ExecResult }> {
    const { argv, env } = this.dhcpCommand(ns, client, { ...options, once: true });
    const result = await this.exec(ns, argv, { env, timeoutMs: options.timeoutMs ?? 20_000 });
    const lease = await readLease(this.dir, this.ns(ns), client);
    if (result.code !== 0 || !lease) throw new ExecError(result);
    return { lease, result };
  }

  /** The lease a client's hook last recorded, if any. */
  lease(ns: LabNs, client: DhcpClient): Promise<Lease | undefined> {
    return readLease(this.dir, this.ns(ns), client);
  }

  /**
   * Chromium (Debian's, via playwright-core) running as a device in `ns`. The lab's certificate is
   * trusted unless `spkiSha256: ''` is passed. Close it before destroy(); destroy() kills it anyway.
   */
  chromium(ns: LabNs, options: LabBrowserOptions = {}): Promise<Browser> {
    return launchChromiumIn(this.ns(ns), this.dir, { spkiSha256: this.tls.spkiSha256, ...options });
  }

  /** A scratch directory inside the lab's directory (removed with the lab). */
  scratch(name: string): string {
    const dir = join(this.dir, 'scratch', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Stops the gateway gracefully, then removes everything. Idempotent, and safe to call concurrently. */
  destroy(): Promise<void> {
    if (this.destroyed && !this.destroying) return Promise.resolve();
    this.destroying ??= (async () => {
      const started = performance.now();
      try {
        await this.gateway?.stop(3_000);
      } catch (e) {
        this.log.warn({ err: e }, 'gateway did not stop cleanly');
      }
      await this.smtp?.stop().catch((e: Error) => this.log.warn({ err: e }, 'the SMTP server did not stop cleanly'));
      await this.syslog?.stop().catch((e: Error) => this.log.warn({ err: e }, 'rsyslog did not stop cleanly'));
      this.destroySync();
      this.teardownMs = performance.now() - started;
      this.log.info({ ms: Math.round(this.teardownMs) }, 'lab down');
    })();
    return this.destroying;
  }

  /** Immediate removal, for exit and signal handlers. Idempotent. */
  destroySync(): void {
    if (this.destroyed) return;
    this.removeEverything();
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  private removeEverything(): void {
    this.destroyed = true;
    live.delete(this);
    const started = performance.now();
    // Let the daemon shut down as it would on the box (a no-op after destroy()'s graceful stop).
    this.gateway?.terminateSync();
    for (const child of this.spawned) child.kill('SIGKILL');
    removeLabSync(this.id, this.namespaces());
    this.teardownMs = performance.now() - started;
  }
}
