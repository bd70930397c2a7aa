// An imported list's check, in a thread of its own like a compile (cached-compile-worker.ts): the
// uploaded file read as bytes, checked (list-check-bytes.ts), and, when it may be imported, stored
// under its list's name with the import's header and without its bad lines. One request in
// workerData, one reply, then the thread ends and its memory with it; the main thread only
// learns the counts.
import { readFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { ListFormat } from '../config/schema.ts';
import { writeFileDurably } from '../config/durable-file.ts';
import { osThreadId } from '../native/thread-id.ts';
import { checkListBytes, keptPieces, refusal, REPORTED_BAD_LINES, type ImportRefusal } from './list-check-bytes.ts';
import type { ListCheck } from './list-check.ts';

export interface ImportCheckRequest {
  /** The uploaded file. */
  source: string;
  /** Where the list is stored if it may be imported. */
  target: string;
  format: ListFormat;
  restricted: boolean;
  guessed?: string;
  skipBadLines: boolean;
  /** The stored file's first line, without its newline. */
  header: string;
  /** The format's comment mark, for the line naming dropped lines. */
  mark: string;
}

export type ImportCheckReply =
  | { ok: true; report: ListCheck; droppedLines: number; refused?: ImportRefusal }
  | { ok: false; message: string };

async function answer(request: ImportCheckRequest): Promise<ImportCheckReply> {
  const bytes = await readFile(request.source);
  const { report, bad } = checkListBytes(bytes, request.format, { restricted: request.restricted, ...(request.guessed ? { guessed: request.guessed } : {}) });
  const refused = refusal(report, request.skipBadLines);
  if (refused) return { ok: true, report, droppedLines: 0, refused };
  const first = [...bad.subarray(0, REPORTED_BAD_LINES)].join(', ');
  const header = [
    request.header,
    ...(bad.length ? [`${request.mark} ${bad.length} bad line(s) dropped (original line numbers): ${first}${bad.length > REPORTED_BAD_LINES ? ', …' : ''}`] : []),
  ];
  await writeFileDurably(request.target, [Buffer.from(`${header.join('\n')}\n`), ...keptPieces(bytes, bad)], { mode: 0o640 });
  return { ok: true, report, droppedLines: bad.length };
}

async function run(request: ImportCheckRequest): Promise<void> {
  // As a compile: under load the DNS thread is scheduled first. Best effort.
  const tid = osThreadId();
  try {
    if (tid !== undefined) setPriority(tid, 19);
  } catch {
    // not allowed: check at normal priority
  }
  let reply: ImportCheckReply;
  try {
    reply = await answer(request);
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
}

await run(workerData as ImportCheckRequest);
