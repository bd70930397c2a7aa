// What an upload store refuses, decided without touching a file: an id it never gave, a piece for
// the wrong place in the file (sent twice, or one before it lost), a piece or a file too large.
// firmware/control/upload.ts does the file work around these answers.
import { UPLOAD_CHUNK_BYTES, UPLOAD_ID_PATTERN } from './upload-schema.ts';

export interface UploadRefusal {
  code: 'unknown-upload' | 'upload-offset' | 'too-large';
  message: string;
}

const ID = new RegExp(UPLOAD_ID_PATTERN);

/** True for a name the store could have given: anything else (a path, "../config") never reaches the disk. */
export const isUploadId = (id: string): boolean => ID.test(id);

/** "64 MiB" rather than 67108864. */
export function sizeInWords(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes / (1 << 10)} KiB`;
  return `${bytes} bytes`;
}

export interface AppendState {
  /** The upload named by the request; undefined when this piece starts one. */
  upload: string | undefined;
  /** The bytes the store holds for it; undefined when there is no such upload (any more). */
  held: number | undefined;
  offset: number;
  pieceBytes: number;
  maxBytes: number;
  /** What the file is, for the messages: "a list", "a release file". */
  what: string;
}

/**
 * Why this piece cannot be stored, or undefined when it can. Every refusal of a piece for an
 * upload that exists ends that upload (the store removes it): the sender has gone wrong, and
 * what it sent so far cannot be trusted to be the file.
 */
export function refuseAppend(s: AppendState): UploadRefusal | undefined {
  if (s.upload !== undefined && !isUploadId(s.upload)) return { code: 'unknown-upload', message: `"${s.upload}" is not an upload` };
  if (s.upload !== undefined && s.held === undefined) return noSuchUpload(s.upload);
  const held = s.held ?? 0;
  if (s.offset !== held) {
    if (s.upload === undefined) return { code: 'upload-offset', message: `a new upload starts at offset 0, not ${s.offset}` };
    const why = s.offset < held ? 'a piece was sent twice' : 'a piece before it was lost';
    return { code: 'upload-offset', message: `upload ${s.upload} holds ${held} bytes, so the next piece goes at offset ${held}, not ${s.offset}: ${why}. The upload is removed: send the file again` };
  }
  if (s.pieceBytes > UPLOAD_CHUNK_BYTES) return { code: 'too-large', message: `a piece may be at most ${sizeInWords(UPLOAD_CHUNK_BYTES)}` };
  if (held + s.pieceBytes > s.maxBytes) return tooLarge(s.what, s.maxBytes);
  return undefined;
}

/** The refusal of a well-formed name the store holds nothing under. */
export function noSuchUpload(upload: string): UploadRefusal {
  return { code: 'unknown-upload', message: `there is no upload ${upload} (finished, refused, or removed after an hour unused): send the file again` };
}

/** The refusal of a file over its use's cap, whether it came in pieces or whole. */
export function tooLarge(what: string, maxBytes: number): UploadRefusal {
  return { code: 'too-large', message: `${what} may be at most ${sizeInWords(maxBytes)}: the upload is refused and nothing of it is kept` };
}
