// Running the kernel's own tools (nft, tc, ip) as child processes: their exit code, output
// and errors, with text on stdin when given. One runner for all of them, so nft and tc fail and
// report the same way; the daemon runs them on this host, tests behind `ip netns exec`.
import { spawn } from 'node:child_process';

export interface ToolResult { code: number; stdout: string; stderr: string }
/** Runs a program (argv) with optional stdin. */
export type ToolRun = (argv: readonly string[], input?: string) => Promise<ToolResult>;

export function toolRunner(prefix: readonly string[] = []): ToolRun {
  return (args, input) => new Promise((resolve, reject) => {
    const argv = [...prefix, ...args];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', (err) => reject(new Error(`cannot run ${argv.join(' ')}: ${err.message}`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (input !== undefined) {
      // A tool refusing its input early closes stdin: its exit code and stderr say why, not EPIPE.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input);
    }
  });
}
