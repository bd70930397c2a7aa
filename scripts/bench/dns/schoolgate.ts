// Schoolgate as a black box: the real daemon (`firmware/main.ts run`) with a benchmark
// configuration, its JSON log lines kept for the compile times it reports, and its control
// socket for status and reloads, exactly as a technician would drive it.
import { execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Config, Policy, UdpIo } from '../../../firmware/config/schema.ts';
import { callDaemon, ControlCallError } from '../../../firmware/control/client.ts';
import { CONTROL_SOCKET_NAME } from '../../../firmware/control/protocol.ts';
import type { DaemonStatus } from '../../../firmware/status.ts';
import { spawnTracked } from './children.ts';

export const REPO = resolve(import.meta.dirname, '../../..');
/**
 * The command the image runs: bin/schoolgate, which starts the built JavaScript (after
 * buildFirmware) with the daemon's Node flags.
 */
export const BUILT_COMMAND = [join(REPO, 'bin/schoolgate')];
/** The TypeScript sources, on plain Node with its type stripper (`--source`). */
export const SOURCE_COMMAND = [process.execPath, join(REPO, 'firmware/main.ts')];

/** A category every demo policy blocks (pupil: "unacceptable"). */
export const BENCH_CATEGORY = 'adult';
export const BENCH_LIST_ID = 'bench-list';

export interface BenchConfigOptions {
  listFile: string;
  domains: number;
  dns: { address: string; port: number };
  admin: { address: string; port: number };
  upstream: { address: string; port: number };
  blockAnswer: Policy['blockAnswer'];
  /** dns.threads (default 1: the main thread only). */
  threads?: number;
  /** dns.udpIo (default batched: the netio addon, as the image runs it). */
  udpIo?: UdpIo;
}

/** The embedded defaults, pointed at loopback ports, the bench upstream and the bench list. */
export function benchConfig(o: BenchConfigOptions): Config {
  const config = defaultConfig();
  config.dns.listen = [{ address: o.dns.address, port: o.dns.port }];
  config.dns.upstreams = [{ name: 'bench-upstream', address: o.upstream.address, port: o.upstream.port }];
  // One dnsperf source address is one "client": the per-client limit would otherwise be the
  // thing measured.
  config.dns.rateLimitPerSecond = 10_000_000;
  config.dns.threads = o.threads ?? 1;
  config.dns.udpIo = o.udpIo ?? 'batched';
  config.web.admin = { address: o.admin.address, port: o.admin.port };
  config.lists = [{
    id: BENCH_LIST_ID, name: `Benchmark list (${o.domains} domains)`, category: BENCH_CATEGORY,
    file: o.listFile, format: 'domains', enabled: true,
  }];
  for (const policy of config.policies) policy.blockAnswer = o.blockAnswer;
  return config;
}

export interface LogLine { at: number; raw: string; json: Record<string, unknown> | undefined }

export class SchoolgateProcess {
  readonly child: ChildProcess;
  readonly dataDir: string;
  readonly configFile: string;
  readonly spawnedAt: number;
  readonly logs: LogLine[] = [];
  readonly command: string;
  /** The command the daemon was started with, without `run …`: the CLI of the same form. */
  readonly #cli: readonly string[];

  private constructor(child: ChildProcess, dataDir: string, configFile: string, spawnedAt: number, command: string, cli: readonly string[]) {
    this.#cli = cli;
    this.child = child;
    this.dataDir = dataDir;
    this.configFile = configFile;
    this.spawnedAt = spawnedAt;
    this.command = command;
    const file = createWriteStream(join(dataDir, 'daemon.log'));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (raw) => {
        file.write(`${raw}\n`);
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        this.logs.push({ at: performance.now(), raw, json });
      });
    }
  }

  /** `command`: BUILT_COMMAND (after buildFirmware) or SOURCE_COMMAND. */
  static async start(config: Config, dataDir: string, command: readonly string[] = BUILT_COMMAND): Promise<SchoolgateProcess> {
    await mkdir(dataDir, { recursive: true, mode: 0o750 });
    const configFile = join(dataDir, 'config.json');
    await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    const [program, ...programArgs] = command;
    const args = [...programArgs, 'run', '--config', configFile, '--data-dir', dataDir];
    const spawnedAt = performance.now();
    // Both commands run the project's Node 24 (bin/schoolgate picks node_modules/.bin/node), never
    // the system's Node 20; bin/schoolgate execs it, so the child's pid is the daemon's.
    const child = spawnTracked(program!, args, { cwd: REPO, env: { ...process.env, SCHOOLGATE_LOG_LEVEL: 'info' } });
    return new SchoolgateProcess(child, dataDir, configFile, spawnedAt, [program!, ...args].map((a) => a.replace(`${REPO}/`, '')).join(' '), command);
  }

  get socket(): string {
    return join(this.dataDir, CONTROL_SOCKET_NAME);
  }

  async status(timeoutMs = 5000): Promise<DaemonStatus> {
    return await callDaemon(this.socket, 'status', undefined, timeoutMs) as DaemonStatus;
  }

  /** Waits for the control socket to answer `status` (the daemon's own "ready"). */
  async waitReady(deadlineMs = 60_000): Promise<number> {
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`schoolgate exited with ${this.child.exitCode} before it was ready:\n${this.logTail()}`);
      try {
        await this.status(1000);
        return performance.now() - this.spawnedAt;
      } catch {
        // not listening yet
      }
      if (performance.now() - this.spawnedAt > deadlineMs) throw new Error(`schoolgate not ready after ${deadlineMs / 1000} s:\n${this.logTail()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Re-reads the lists: the control call behind `node firmware/main.ts lists reload --data-dir
   * DIR` (no Node start-up in the timing). A daemon without that call gets `config reload`, which
   * recompiles only when the configuration's lists changed. Returns the method used and the
   * compile time the daemon reports, if any.
   */
  async reloadLists(): Promise<{ method: string; compileMs: number | undefined }> {
    try {
      const report = await callDaemon(this.socket, 'lists.reload', undefined, 120_000) as { compileMs?: unknown };
      return { method: 'lists.reload', compileMs: typeof report?.compileMs === 'number' ? report.compileMs : undefined };
    } catch (error) {
      if (!(error instanceof ControlCallError) || error.code !== 'unknown-method') throw error;
    }
    await callDaemon(this.socket, 'config.reload', undefined, 120_000);
    return { method: 'config.reload', compileMs: undefined };
  }

  /**
   * `schoolgate lists import FILE --category C --id ID` as a technician types it: a separate CLI
   * process of the daemon's own form, talking to the daemon over its control socket.
   */
  importList(file: string, category: string, id: string): Promise<{ ms: number; result: { namesInService?: number } }> {
    const [program, ...rest] = this.#cli;
    const args = [...rest, 'lists', 'import', file, '--category', category, '--id', id, '--json', '--data-dir', this.dataDir];
    const started = performance.now();
    return new Promise((resolve, reject) => {
      execFile(program!, args, { cwd: REPO, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`schoolgate lists import failed: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ ms: performance.now() - started, result: JSON.parse(stdout) as { namesInService?: number } });
      });
    });
  }

  logTail(lines = 20): string {
    return this.logs.slice(-lines).map((l) => l.raw).join('\n');
  }

  /**
   * Log lines after `since` that look like a list compile/load report: a message about lists,
   * the matcher or compiling, with a numeric field whose name says milliseconds. The lead's
   * wording is not fixed yet, so this is deliberately loose and prints what it used.
   */
  compileReports(since = 0): { msg: string; field: string; ms: number }[] {
    const found: { msg: string; field: string; ms: number }[] = [];
    for (const line of this.logs) {
      if (line.at < since || !line.json) continue;
      const msg = String(line.json.msg ?? '');
      if (!/list|match|compil|rule/i.test(msg)) continue;
      for (const [field, value] of Object.entries(line.json)) {
        if (typeof value === 'number' && /(ms|millis|duration)$/i.test(field)) found.push({ msg, field, ms: value });
      }
    }
    return found;
  }

  /** Warnings and errors the daemon logged after `since` (pino levels: 40 warn, 50 error, 60 fatal). */
  problems(since = 0): string[] {
    return this.logs.filter((l) => l.at >= since && typeof l.json?.level === 'number' && (l.json.level as number) >= 40).map((l) => l.raw);
  }
}
