// Schoolgate itself, running in the lab's `gw` namespace exactly as on the box: the real CLI,
// a config file, a data directory. Ready is what `schoolgate status --json` says, not a guess.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../../firmware/config/defaults.ts';
import type { Config } from '../../firmware/config/schema.ts';
import { ADMIN_PORT, INTERNET, SCHOOL_NETWORKS, gatewayInterface, schoolNetwork } from './addresses.ts';
import { exec, inNamespace, type ExecResult } from './exec.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const NODE = join(REPO_ROOT, 'node_modules/.bin/node');
export const MAIN = join(REPO_ROOT, 'firmware/main.ts');

/** The embedded defaults, moved onto the lab's networks and pointed at the lab's internet. */
export function labGatewayConfig(vlans: boolean): Config {
  const config = defaultConfig();
  config.networks = config.networks.map((network) => {
    const lab = SCHOOL_NETWORKS.find((n) => n.id === network.id);
    if (!lab) return network;
    const moved = { ...network, interface: gatewayInterface(lab, vlans), subnets: [lab.subnet], gateway: { ipv4: lab.gateway } };
    // The lab's pool, described but off: a test that wants DHCP says so (withDhcp).
    if (network.dhcp) moved.dhcp = { ...network.dhcp, enabled: false, pools: [{ ...lab.pool }] };
    if (vlans) moved.vlan = lab.vlan;
    else delete moved.vlan;
    return moved;
  });
  config.dns.listen = SCHOOL_NETWORKS.map((n) => ({ address: n.gateway, port: 53 }));
  config.dns.upstreams = [{ name: 'wan', address: INTERNET.resolver, port: 53 }];
  config.web.admin = { address: schoolNetwork('staff').gateway, port: ADMIN_PORT };
  return config;
}

/** `config` with the DHCP server on for `networks` (default: every lab school network). */
export function withDhcp(config: Config, networks: readonly string[] = SCHOOL_NETWORKS.map((n) => n.id)): Config {
  const next = structuredClone(config);
  for (const network of next.networks) {
    const lab = SCHOOL_NETWORKS.find((n) => n.id === network.id);
    if (!lab || !networks.includes(network.id)) continue;
    network.dhcp = {
      ...network.dhcp,
      leaseSeconds: 3600,
      enabled: true,
      pools: [{ ...lab.pool }],
      domain: network.dhcp?.domain ?? 'school.test',
    };
  }
  return next;
}

export interface GatewayOptions {
  gwNs: string;
  /** The lab's directory: the config file and the gateway's log go here. */
  dir: string;
  dataDir: string;
}

const KEEP_LINES = 400;

/** Running and not yet a zombie (our own exited child stays one until the event loop reaps it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

export class Gateway {
  readonly dataDir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly gwNs: string;
  /** The last lines the daemon wrote (stdout and stderr, interleaved as they came). */
  readonly lines: string[] = [];
  /** Parsed `status --json` from when it became ready. */
  status: unknown;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(o: GatewayOptions) {
    this.gwNs = o.gwNs;
    this.dataDir = o.dataDir;
    this.configFile = join(o.dir, 'gateway-config.json');
    this.logFile = join(o.dir, 'gateway.log');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.lines.join('\n');
  }

  /** `env` is added to the daemon's environment (NODE_EXTRA_CA_CERTS: a lab server's CA to trust). */
  async start(config: Config, readyTimeoutMs = 60_000, env: Record<string, string> = {}): Promise<void> {
    if (!existsSync(MAIN)) throw new Error(`the Schoolgate CLI is missing: ${MAIN}`);
    await mkdir(this.dataDir, { recursive: true });
    await writeFile(this.configFile, JSON.stringify(config, null, 2) + '\n');
    const argv = inNamespace(this.gwNs, [NODE, MAIN, 'run', '--config', this.configFile, '--data-dir', this.dataDir]);
    const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, NO_COLOR: '1' } });
    this.child = child;
    this.exited = new Promise((resolve) => child.on('close', () => resolve()));
    child.on('error', (e) => this.keep(`[netlab] could not start the gateway: ${e.message}`));
    const collect = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) if (line) this.keep(line);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    try {
      this.status = await this.waitReady(readyTimeoutMs);
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /** Called with each line the daemon writes (the CLI shows them). */
  onLine: ((line: string) => void) | undefined;

  private keep(line: string): void {
    this.onLine?.(line);
    this.lines.push(line);
    if (this.lines.length > KEEP_LINES) this.lines.splice(0, this.lines.length - KEEP_LINES);
    try {
      appendFileSync(this.logFile, line + '\n');
    } catch {
      // the lab's directory is gone: teardown is under way
    }
  }

  /** `schoolgate status --json`, run inside gw (exit 0 = up, 3 = no daemon answering). */
  statusCommand(): Promise<ExecResult> {
    return exec(inNamespace(this.gwNs, [NODE, MAIN, 'status', '--data-dir', this.dataDir, '--json']), { cwd: REPO_ROOT, timeoutMs: 10_000 });
  }

  private async waitReady(timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    let last: ExecResult | undefined;
    for (;;) {
      if (!this.running) {
        throw new Error(`the gateway exited (${this.child?.exitCode ?? this.child?.signalCode}) before it was ready; its output:\n${this.output()}`);
      }
      last = await this.statusCommand();
      if (last.code === 0) {
        try {
          return JSON.parse(last.stdout) as unknown;
        } catch {
          throw new Error(`\`status --json\` exited 0 but printed no JSON:\n${last.stdout}\n${last.stderr}\ngateway output:\n${this.output()}`);
        }
      }
      if (Date.now() > deadline) {
        throw new Error(`the gateway was not ready after ${timeoutMs} ms; last \`status --json\` exited ${last.code}: ${last.stdout}${last.stderr}\ngateway output:\n${this.output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM, then SIGKILL if it has not gone within `graceMs`. Idempotent. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (this.running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
  }

  /**
   * For exit and signal handlers, where nothing asynchronous runs: SIGTERM, then wait (blocking)
   * up to `graceMs` for the daemon to finish; the lab's removal kills whatever is left.
   */
  terminateSync(graceMs = 3_000): void {
    const pid = this.child?.pid;
    if (!this.running || pid === undefined) return;
    this.child!.kill('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && isRunning(pid)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }

  /** How it ended: the exit code, or the signal that ended it. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    if (!this.child || this.running) return undefined;
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }
}
