// Runs an import's check in a thread of its own (import-check-worker.ts) and waits for it to end,
// so the checked file's bytes and its names' hashes are gone before the lists are recompiled: an
// import then costs the daemon no more memory at its peak than the reload that follows it.
import { Worker } from 'node:worker_threads';
import { siblingModule } from '../paths.ts';
import type { ImportCheckReply, ImportCheckRequest } from './import-check-worker.ts';

const WORKER_URL = siblingModule(import.meta.url, 'import-check-worker');
/** A 1M-name list is checked in about a second on the test box; this is for a thread that hangs. */
const TIMEOUT_MS = 120_000;

export type ImportChecked = Extract<ImportCheckReply, { ok: true }>;

export function checkImportInThread(request: ImportCheckRequest): Promise<ImportChecked> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: request });
    let reply: ImportCheckReply | undefined;
    const timer = setTimeout(() => {
      reply = { ok: false, message: `the list check did not finish within ${TIMEOUT_MS / 1000} s` };
      void worker.terminate();
    }, TIMEOUT_MS);
    worker.on('message', (message: ImportCheckReply) => { reply ??= message; });
    worker.once('error', (error) => { reply ??= { ok: false, message: error.message }; });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      if (reply?.ok) resolve(reply);
      else reject(new Error(reply?.message ?? `the list check thread stopped (exit code ${code}) without an answer`));
    });
  });
}
