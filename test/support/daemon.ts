// Starts the real daemon as a child process, the way systemd or `npm start` does, for tests of
// the CLI, the control socket and the admin page.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { defaultConfig } from '../../firmware/config/defaults.ts';
import type { Config } from '../../firmware/config/schema.ts';
import { freePort } from './ports.ts';
import { startTestUpstream, type TestUpstream } from './upstream.ts';

export const REPO = resolve(import.meta.dirname, '../..');
export const MAIN = join(REPO, 'firmware/main.ts');

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs `schoolgate ARGS` on the project's Node and collects its output. */
export function runCli(args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: REPO, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/**
 * A test configuration: the demo networks on loopback, on free ports, forwarding only to a
 * loopback upstream (never the host's resolvers).
 */
export async function testConfig(upstream: { address: string; port: number }): Promise<Config> {
  const config = defaultConfig();
  config.dns.listen = [{ address: '127.0.0.1', port: await freePort() }];
  config.dns.upstreams = [{ name: 'test-upstream', address: upstream.address, port: upstream.port }];
  config.web.admin = { address: '127.0.0.1', port: await freePort() };
  config.web.blockPage = { address: '127.0.0.1', port: await freePort() };
  return config;
}

export interface RunningDaemon {
  dataDir: string;
  configFile: string;
  config: Config;
  process: ChildProcess;
  output: () => string;
  cli: (args: string[]) => Promise<CliResult>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  cleanup: () => Promise<void>;
}

/**
 * Starts the daemon on `config`; `files` are written into the data directory first (e.g.
 * lists/x.txt). `command` is how it is started (default: node on the TypeScript sources); `env`
 * adds to its environment (e.g. systemd's NOTIFY_SOCKET).
 */
export async function startDaemonProcess(
  config: Config, files: Record<string, string> = {}, command: string[] = [process.execPath, MAIN], env: NodeJS.ProcessEnv = {},
): Promise<RunningDaemon> {
  const dataDir = await mkdtemp(join(tmpdir(), 'schoolgate-test-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dataDir, name)), { recursive: true });
    await writeFile(join(dataDir, name), text);
  }
  const configFile = join(dataDir, 'config.json');
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return launchDaemon({ dataDir, configFile, config, command, env });
}

export interface LaunchOptions {
  dataDir: string;
  configFile: string;
  /** What the file held when the daemon was first started (RunningDaemon.config). */
  config: Config;
  /** How it is started (default: node on the TypeScript sources). */
  command?: string[];
  /** Added to its environment (e.g. systemd's NOTIFY_SOCKET). */
  env?: NodeJS.ProcessEnv;
  /** Whether it answers yet (default: `schoolgate status` exits 0); polled until it does. */
  ready?: () => Promise<boolean>;
  /** How long it may take to become ready (ms; default 20 s). */
  readyTimeoutMs?: number;
  /** Told of the process as soon as it is spawned (to kill it while it starts). */
  spawned?: (child: ChildProcess) => void;
}

/**
 * Starts the daemon on a data directory and configuration file that are already there (a
 * restart: the durability soak starts it again on what the killed one left), resolving once ready.
 */
export async function launchDaemon(options: LaunchOptions): Promise<RunningDaemon> {
  const { dataDir, configFile, config } = options;
  const [program, ...programArgs] = options.command ?? [process.execPath, MAIN];
  const child = spawn(program!, [...programArgs, 'run', '--config', configFile, '--data-dir', dataDir], {
    cwd: REPO,
    env: { ...process.env, SCHOOLGATE_LOG_LEVEL: 'info', ...options.env },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  options.spawned?.(child);

  const cli = (args: string[]): Promise<CliResult> => runCli([...args, '--data-dir', dataDir]);
  let lastStatus = '';
  const ready = options.ready ?? (async (): Promise<boolean> => {
    const status = await cli(['status', '--json']);
    lastStatus = status.stderr;
    return status.code === 0;
  });
  // A cold start compiles the lists; on a loaded 2-core machine that took over 20 s (hooks allow 60).
  const timeoutMs = options.readyTimeoutMs ?? 45_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`daemon exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${output}`);
    }
    if (await ready()) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`daemon not ready after ${timeoutMs / 1000} s:\n${output}\nlast status: ${lastStatus}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return {
    dataDir, configFile, config, process: child, output: () => output, cli, stop,
    cleanup: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface DaemonWithList extends RunningDaemon {
  upstream: TestUpstream;
  /** The "social" list's file in the data directory. */
  listFile: string;
}

/**
 * The CLI tests' daemon: a test upstream that answers every A question with 192.0.2.77, and the daemon
 * (testConfig) with one enabled domains list, "social" (category social), whose file
 * lists/social.txt holds `listText`. `cleanup` stops the daemon, removes its data directory and
 * closes the upstream.
 */
export async function startDaemonWithList(listText: string, env: NodeJS.ProcessEnv = {}): Promise<DaemonWithList> {
  const upstream = await startTestUpstream('192.0.2.77');
  try {
    const config = await testConfig(upstream);
    config.lists = [{ id: 'social', name: 'Social networks', category: 'social', file: 'social.txt', format: 'domains', enabled: true }];
    const daemon = await startDaemonProcess(config, { 'lists/social.txt': listText }, undefined, env);
    return {
      ...daemon,
      upstream,
      listFile: join(daemon.dataDir, 'lists/social.txt'),
      cleanup: async () => {
        try {
          await daemon.cleanup();
        } finally {
          await upstream.close();
        }
      },
    };
  } catch (error) {
    await upstream.close();
    throw error;
  }
}
