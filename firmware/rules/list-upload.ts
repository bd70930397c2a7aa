// A list file on its way to `lists.import`, stored as it arrives: the CLI sends it over the
// control socket in pieces (`lists.upload`), each appended to a file under DATA_DIR/lists/.incoming,
// and names that upload in its import. The daemon's main thread thus never holds the whole file
// (a 1M-name list is ~20 MiB, a JSON string of it twice that, and parsing it there cost ~100 MB
// of V8 heap that stayed); the list compiler thread reads it from disk, as a reload does.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from 'typebox';
import { ControlFailure } from '../control/server.ts';

/** The largest list file an import takes (a 1M-name list is about 20 MiB). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** Bytes of the file in one `lists.upload` request: base64 keeps the request under the socket's 1 MiB line. */
export const UPLOAD_CHUNK_BYTES = 512 * 1024;
/** An upload nobody imported within this long is removed when the next one starts. */
const STALE_MS = 60 * 60 * 1000;

const UploadId = Type.String({ pattern: '^[0-9a-f]{32}$', description: 'what lists.upload answered' });

export const UploadParams = Type.Object({
  /** Absent for the first piece: a new upload is started and named in the answer. */
  upload: Type.Optional(UploadId),
  data: Type.String({ maxLength: Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4, pattern: '^[A-Za-z0-9+/]*={0,2}$', description: 'the next piece of the file, base64' }),
}, { additionalProperties: false });
export type UploadParams = Static<typeof UploadParams>;

export interface UploadResult {
  upload: string;
  /** The file's bytes received so far. */
  bytes: number;
}

export { UploadId };

const incoming = (listsDir: string): string => join(listsDir, '.incoming');

/** Where an upload's bytes are; refuses a name that is not one lists.upload gives. */
export function uploadPath(listsDir: string, upload: string): string {
  if (!/^[0-9a-f]{32}$/.test(upload)) throw new ControlFailure('unknown-upload', `"${upload}" is not an upload`);
  return join(incoming(listsDir), `${upload}.part`);
}

async function startUpload(listsDir: string, now: number): Promise<string> {
  const dir = incoming(listsDir);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_MS) await unlink(path).catch(() => undefined);
  }
  const upload = randomBytes(16).toString('hex');
  await writeFile(uploadPath(listsDir, upload), new Uint8Array(0), { flag: 'wx', mode: 0o640 });
  return upload;
}

/** Appends one piece of a file to its upload (a new one when `params.upload` is absent). */
export async function appendUpload(listsDir: string, params: UploadParams, now = Date.now()): Promise<UploadResult> {
  const upload = params.upload ?? await startUpload(listsDir, now);
  const path = uploadPath(listsDir, upload);
  const size = await stat(path).then((s) => s.size, () => {
    throw new ControlFailure('unknown-upload', `there is no upload "${upload}" (finished, or removed after an hour unused): send the file again`);
  });
  const piece = Buffer.from(params.data, 'base64');
  if (piece.length > UPLOAD_CHUNK_BYTES) throw new ControlFailure('too-large', `a piece may be at most ${UPLOAD_CHUNK_BYTES} bytes`);
  if (size + piece.length > MAX_IMPORT_BYTES) {
    await unlink(path).catch(() => undefined);
    throw new ControlFailure('too-large', `a list may be at most ${MAX_IMPORT_BYTES} bytes; nothing was imported`);
  }
  await appendFile(path, piece);
  return { upload, bytes: size + piece.length };
}

/** Stores a list given whole (the web UI's form) as an upload, so it is imported the same way. */
export async function uploadText(listsDir: string, text: string, now = Date.now()): Promise<string> {
  const upload = await startUpload(listsDir, now);
  await writeFile(uploadPath(listsDir, upload), text, { mode: 0o640 });
  return upload;
}

/** Removes an upload once imported or refused. */
export async function removeUpload(listsDir: string, upload: string): Promise<void> {
  await unlink(uploadPath(listsDir, upload)).catch(() => undefined);
}
