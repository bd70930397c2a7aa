// The list compiler's thread. Reading, parsing and building a million names takes about a second
// of CPU: done here, the DNS loop on the main thread never waits for it. The result crosses back
// as one transferred ArrayBuffer (no copy) together with the typed-array views into it, already
// checked by decodeMatcher here, so the main thread only wraps them and swaps (lists-manager.ts).
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeMatcher } from '../dns/matcher/serialize.ts';
import type { CompileReply, CompileRequest } from './compile-protocol.ts';
import { compileLists, ListReadError } from './load-lists.ts';

/**
 * Lowers this thread's scheduling priority (Linux: a thread id is a valid setpriority target),
 * so under load the DNS thread, and the upstream resolver and clients sharing the box, are
 * scheduled first; a compile then takes longer instead of taking their CPU. Best effort.
 */
function yieldCpu(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, COMPILE_NICE);
  } catch {
    // not Linux, or not allowed: compile at normal priority
  }
}

const COMPILE_NICE = 19;

async function run(request: CompileRequest): Promise<void> {
  yieldCpu();
  let reply: CompileReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const compiled = await compileLists(request.config, { listsDir: request.listsDir, seed: request.seed });
    const buf = compiled.matcher.toBuffer();
    // Checks the table's invariants here, off the DNS thread, and gives views into `buf`.
    const { categories, ...arrays } = decodeMatcher(buf, true);
    reply = {
      ok: true,
      data: arrays,
      categories: [...categories.ids()],
      extras: compiled.extras,
      statuses: compiled.statuses,
      listIds: compiled.listIds,
      compileMs: compiled.compileMs,
    };
    transfer = [buf.buffer as ArrayBuffer];
  } catch (error) {
    reply = {
      ok: false,
      name: error instanceof Error ? error.name : 'Error',
      message: error instanceof Error ? error.message : String(error),
      ...(error instanceof ListReadError ? { statuses: error.statuses } : {}),
    };
  }
  parentPort!.postMessage(reply, transfer);
}

await run(workerData as CompileRequest);
