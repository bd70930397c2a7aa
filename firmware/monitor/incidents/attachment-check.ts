// What an uploaded screenshot must be before it joins an incident, pure: a PNG or a JPEG by its
// first bytes (never by the name or the type the browser claimed), within the size limit, with its
// SHA-256 for the timeline, so an exported incident proves which file the school kept.
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../state/values.ts';

/** A phone's full-screen screenshot is 1-4 MB; anything larger is not a screenshot. */
export const ATTACHMENT_MAX_BYTES = 8 * 1024 * 1024;
export const ATTACHMENT_NAME_MAX = 120;

/** Uploads are images only; text/csv is the gateway's own investigation evidence. */
export type AttachmentMediaType = 'image/png' | 'image/jpeg' | 'text/csv';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];

export interface CheckedAttachment {
  fileName: string;
  mediaType: AttachmentMediaType;
  bytes: number;
  sha256: string;
}

/** The media type the file's first bytes say, or undefined for anything but PNG and JPEG. */
export function sniffImage(data: Uint8Array): 'image/png' | 'image/jpeg' | undefined {
  const starts = (magic: number[]) => data.length > magic.length && magic.every((b, i) => data[i] === b);
  if (starts(PNG)) return 'image/png';
  if (starts(JPEG)) return 'image/jpeg';
  return undefined;
}

/**
 * The name shown for an attachment: its last path part, control characters and quotes out (it
 * goes into a Content-Disposition header and printed pages), cut to 120 characters.
 */
export function attachmentName(given: string): string {
  // eslint-disable-next-line no-control-regex
  const base = given.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f"]+/g, '').trim().slice(0, ATTACHMENT_NAME_MAX).trim();
  return base === '' ? 'screenshot' : base;
}

/** Checks an upload; InvalidInputError says what is wrong with it. */
export function checkAttachment(data: Uint8Array, fileName: string): CheckedAttachment {
  if (data.length === 0) throw new InvalidInputError('the file is empty');
  if (data.length > ATTACHMENT_MAX_BYTES) {
    throw new InvalidInputError(`the file is ${(data.length / 1048576).toFixed(1)} MB; an attachment may be at most ${ATTACHMENT_MAX_BYTES / 1048576} MB`);
  }
  const mediaType = sniffImage(data);
  if (mediaType === undefined) throw new InvalidInputError('only a PNG or JPEG image can be attached (this file is neither, whatever its name says)');
  return { fileName: attachmentName(fileName), mediaType, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}
