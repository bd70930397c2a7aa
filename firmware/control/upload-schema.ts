// The shapes of a file sent to the daemon in pieces over the control socket (`lists.upload`,
// `upgrade.upload`): one upload mechanism, whatever the file is for (firmware/control/upload.ts).
import { Type, type Static } from 'typebox';

/**
 * Bytes of the file in one request. Base64 makes it 699,052 characters, which keeps the request
 * under the socket's 1 MiB line (MAX_REQUEST_BYTES) with room for the rest of the JSON.
 */
export const UPLOAD_CHUNK_BYTES = 512 * 1024;

/** The name the daemon gives an upload when its first piece arrives: 128 random bits, as hex. */
export const UPLOAD_ID_PATTERN = '^[0-9a-f]{32}$';
export const UploadId = Type.String({ pattern: UPLOAD_ID_PATTERN, description: 'what the upload method answered for the first piece' });
export type UploadId = Static<typeof UploadId>;

export const UploadParams = Type.Object({
  /** Absent for the first piece: the daemon starts an upload and names it in the answer. */
  upload: Type.Optional(UploadId),
  /**
   * Where this piece goes in the file: the bytes the daemon holds so far. A piece sent twice or
   * one lost on the way shows up here, and is refused rather than stored in the wrong place.
   */
  offset: Type.Integer({ minimum: 0 }),
  data: Type.String({
    maxLength: Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4,
    // Buffer.from(…, 'base64') skips what is not base64 without a word: refuse it instead.
    pattern: '^[A-Za-z0-9+/]*={0,2}$',
    description: 'the next piece of the file, base64',
  }),
}, { additionalProperties: false });
export type UploadParams = Static<typeof UploadParams>;

export const UploadResult = Type.Object({
  upload: UploadId,
  /** The file's bytes the daemon holds now: the next piece's offset. */
  bytes: Type.Integer({ minimum: 0 }),
});
export type UploadResult = Static<typeof UploadResult>;
