// The sending end of an upload (firmware/control/upload.ts): bytes from any source (a file read a
// piece at a time by the CLI, an HTTP body as it arrives at the admin API) go to an upload method
// in pieces of UPLOAD_CHUNK_BYTES, each with its offset, each answer checked, so neither end ever
// holds the whole file.
import { UPLOAD_CHUNK_BYTES, type UploadParams, type UploadResult } from './upload-schema.ts';

/** Calls the upload method (over the socket, or in-process) with one piece. */
export type SendPiece = (params: UploadParams) => Promise<UploadResult>;

/**
 * Sends everything `source` yields, in order, and resolves with the upload's name; `onSent` hears
 * the bytes the daemon holds after each piece. An empty source still makes an (empty) upload, so
 * its user can refuse it in its own words. What `source` yields is kept until a piece is full, so
 * it must not reuse its buffers (streams do not).
 */
export async function sendUpload(source: AsyncIterable<Uint8Array>, send: SendPiece, onSent?: (bytes: number) => void): Promise<string> {
  let upload: string | undefined;
  let offset = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    const piece = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const answer = await send({ ...(upload ? { upload } : {}), offset, data: piece.toString('base64') });
    if ((upload !== undefined && answer.upload !== upload) || answer.bytes !== offset + piece.length) {
      throw new Error(`the daemon holds ${answer.bytes} bytes of upload ${answer.upload}, not the ${offset + piece.length} sent to ${upload ?? 'a new upload'}`);
    }
    upload = answer.upload;
    offset = answer.bytes;
    onSent?.(offset);
  };
  for await (const chunk of source) {
    let rest = chunk;
    while (rest.length > 0) {
      const take = rest.subarray(0, UPLOAD_CHUNK_BYTES - pendingBytes);
      pending.push(take);
      pendingBytes += take.length;
      rest = rest.subarray(take.length);
      if (pendingBytes === UPLOAD_CHUNK_BYTES) await flush();
    }
  }
  if (pendingBytes > 0 || upload === undefined) await flush();
  return upload!;
}
