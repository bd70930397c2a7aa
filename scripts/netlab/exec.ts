// Running programs, in the host namespace or inside a lab namespace. Results never throw on a
// non-zero exit (a test often wants the failure); `check` turns one into an error that carries
// the output, so a failed bring-up says why.
import { spawn, type SpawnOptions } from 'node:child_process';

export interface ExecOptions {
  /** Kill the program (SIGKILL) after this long; the result then has `timedOut: true`. */
  timeoutMs?: number;
  /** Written to the program's stdin, which is then closed. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ExecResult {
  argv: string[];
  /** Exit code; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export function exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('exec: empty argv');
  const spawnOptions: SpawnOptions = { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env };
  if (options.cwd) spawnOptions.cwd = options.cwd;
  return new Promise((resolve) => {
    const child = spawn(file, args, spawnOptions);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => { spawnError = e; });
    // A program that exits without reading its input would otherwise raise EPIPE here.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString() + (spawnError ? `\n${spawnError.message}` : '');
      resolve({ argv: [...argv], code: spawnError ? 127 : code, signal, stdout: Buffer.concat(out).toString(), stderr, timedOut });
    });
  });
}

export class ExecError extends Error {
  readonly result: ExecResult;
  constructor(result: ExecResult) {
    super(describeFailure(result));
    this.name = 'ExecError';
    this.result = result;
  }
}

export function describeFailure(r: ExecResult): string {
  const how = r.timedOut ? 'timed out' : r.signal ? `was killed by ${r.signal}` : `exited ${r.code}`;
  const parts = [`\`${r.argv.join(' ')}\` ${how}`];
  if (r.stdout.trim()) parts.push(`stdout:\n${r.stdout.trimEnd()}`);
  if (r.stderr.trim()) parts.push(`stderr:\n${r.stderr.trimEnd()}`);
  return parts.join('\n');
}

export function check(r: ExecResult): ExecResult {
  if (r.code !== 0) throw new ExecError(r);
  return r;
}

/** The argv that runs `argv` inside the named network namespace. */
export function inNamespace(realNs: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', realNs, ...argv];
}
