// A list file read a piece at a time, line by line, into one reused buffer: a compile (or a
// hash of the file) then holds 1 MiB of it rather than the whole file (20 MB for 1M names),
// which counted in full toward the daemon's peak during every reload.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

export const PIECE_BYTES = 1 << 20;

/**
 * Calls `each(bytes, start, end)` for every line of the file, without its "\n", as
 * forEachLineRange does for a whole file: a final newline ends the last line. `bytes` is valid
 * only during the call. A line longer than the buffer grows it (bad lines can be long).
 */
export async function forEachFileLine(path: string, each: (bytes: Buffer, start: number, end: number) => void, pieceBytes = PIECE_BYTES): Promise<void> {
  const handle = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(pieceBytes);
    let filled = 0;
    for (;;) {
      if (filled === buf.length) {
        const grown = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(grown, 0, 0, filled);
        buf = grown;
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      filled += bytesRead;
      // Only the filled part: what lies beyond is an earlier piece's bytes.
      const view = buf.subarray(0, filled);
      let start = 0;
      for (let newline = view.indexOf(0x0a, start); newline >= 0; newline = view.indexOf(0x0a, start)) {
        each(buf, start, newline);
        start = newline + 1;
      }
      if (bytesRead === 0) {
        if (start < filled) each(buf, start, filled);
        return;
      }
      buf.copy(buf, 0, start, filled);
      filled -= start;
    }
  } finally {
    await handle.close();
  }
}

/** Feeds an open file to `update` a piece at a time, from its start. */
export async function forEachPiece(handle: FileHandle, update: (piece: Buffer) => void, pieceBytes = PIECE_BYTES): Promise<void> {
  const buf = Buffer.allocUnsafe(pieceBytes);
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buf, 0, buf.length, position);
    if (bytesRead === 0) return;
    update(buf.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/** The file's size and its first `sampleBytes` bytes (to estimate its line count from). */
export async function sampleFile(path: string, sampleBytes: number): Promise<{ size: number; sample: Buffer }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(Math.min(size, sampleBytes)), position: 0 });
    return { size, sample: buffer.subarray(0, bytesRead) };
  } finally {
    await handle.close();
  }
}
