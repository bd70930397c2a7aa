// The CLI's way of handing a file to the daemon (`schoolgate lists import`, `schoolgate upgrade
// FILE`): read a piece at a time, sent through the daemon's upload method for that use, with
// progress. A file over the use's cap is refused here, before anything is sent.
import { open } from 'node:fs/promises';
import { callDaemon } from '../control/client.ts';
import { sizeInWords } from '../control/upload-rules.ts';
import { UPLOAD_CHUNK_BYTES, type UploadResult } from '../control/upload-schema.ts';
import { sendUpload } from '../control/upload-send.ts';

export interface UploadFileOptions {
  socket: string;
  /** The control method: `lists.upload`, `upgrade.upload`. */
  method: string;
  file: string;
  /** The daemon's cap for this use, and what the file is ("a list"), to refuse a larger file here. */
  maxBytes: number;
  what: string;
  onProgress?: (sent: number, total: number) => void;
}

/** Each piece has this long to be stored: a slow disk on a Pi, not a hung daemon. */
const PIECE_TIMEOUT_MS = 30_000;

/** Sends `file` and resolves with the upload's name, which the use's next method takes. */
export async function uploadFile(o: UploadFileOptions): Promise<string> {
  const handle = await open(o.file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > o.maxBytes) throw new Error(`${o.file} is ${size} bytes; ${o.what} may be at most ${sizeInWords(o.maxBytes)}`);
    const pieces = handle.createReadStream({ highWaterMark: UPLOAD_CHUNK_BYTES, autoClose: false, start: 0 });
    return await sendUpload(pieces, (params) => callDaemon(o.socket, o.method, params, PIECE_TIMEOUT_MS) as Promise<UploadResult>,
      (sent) => o.onProgress?.(sent, size));
  } finally {
    await handle.close();
  }
}

/**
 * Progress as lines ("  sent 10.5 of 52.4 MB"): every `everyBytes`, and when the file is all sent;
 * nothing for a file smaller than that, which is sent before anyone could wait for it.
 */
export function progressLines(write: (line: string) => void, everyBytes = 20 * UPLOAD_CHUNK_BYTES): (sent: number, total: number) => void {
  let next = everyBytes;
  return (sent, total) => {
    if (total < everyBytes || (sent < next && sent < total)) return;
    while (next <= sent) next += everyBytes;
    write(`  sent ${(sent / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`);
  };
}
