// The envelope every export leaves the gateway in (docs/export-format.md): the content's SHA-256,
// the audit chain's head and whether it verified at that moment, who exported it and when; with
// a passphrase, the content encrypted (AES-256-GCM, key from scrypt) with the header as
// additional authenticated data, so neither the content nor a word of the header can change
// unseen. General on purpose: incident exports and backups use the same envelope.
//
// Layout: the magic line, one line of header JSON, then the content (plain) or the ciphertext
// followed by GCM's 16-byte tag. The header is plain text so `head -2 FILE` tells anyone what a
// file is, whose, and which audit entry vouches for it, without the passphrase.
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync, timingSafeEqual, type CipherGCM } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { IsoTimestamp } from '../../state/schemas.ts';

export const SEAL_MAGIC = 'SCHOOLGATE-EXPORT 1';
export const SEALED_MEDIA_TYPE = 'application/vnd.schoolgate.export';
export const SEALED_SUFFIX = '.sgexport';

/** A passphrase shorter than this is refused: the file travels by e-mail and USB stick. */
export const PASSPHRASE_MIN = 10;
export const PASSPHRASE_MAX = 1024;

// N = 2^15, r = 8: 32 MiB and ~0.1 s on the gateway, per OWASP's scrypt guidance. An opener
// refuses parameters beyond these bounds, so a crafted header cannot make it spend gigabytes.
export const SCRYPT_DEFAULTS = { N: 32_768, r: 8, p: 1 } as const;
const SCRYPT_BOUNDS = { logNMin: 14, logNMax: 20, rMax: 16, pMax: 4 } as const;
/** GCM's tag, written after the ciphertext. */
export const SEAL_TAG_BYTES = 16;
const TAG_BYTES = SEAL_TAG_BYTES;

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]+={0,2}$' });

export const AuditHeadAtExport = Type.Object({
  seq: Type.Integer({ minimum: 0, description: 'the newest audit entry when the export was made (0: an empty log)' }),
  hash: Sha256Hex,
  verified: Type.Boolean({ description: 'whether the whole chain verified at that moment' }),
  brokenAt: Type.Optional(Type.Integer({ minimum: 1, description: 'when it did not: the first entry that cannot be trusted' })),
}, { additionalProperties: false });
export type AuditHeadAtExport = Static<typeof AuditHeadAtExport>;

export const SealEncryption = Type.Object({
  cipher: Type.Literal('aes-256-gcm'),
  kdf: Type.Literal('scrypt'),
  salt: Base64,
  N: Type.Integer({ minimum: 2 ** SCRYPT_BOUNDS.logNMin, maximum: 2 ** SCRYPT_BOUNDS.logNMax }),
  r: Type.Integer({ minimum: 1, maximum: SCRYPT_BOUNDS.rMax }),
  p: Type.Integer({ minimum: 1, maximum: SCRYPT_BOUNDS.pMax }),
  iv: Base64,
}, { additionalProperties: false });

export const SealHeader = Type.Object({
  fileName: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
  mediaType: Type.String({ minLength: 3, maxLength: 100, pattern: '^[a-z0-9.+-]+/[a-z0-9.+-]+(; ?charset=utf-8)?$' }),
  contentLength: Type.Integer({ minimum: 0 }),
  contentSha256: Sha256Hex,
  exportedAt: IsoTimestamp,
  exportedBy: Type.String({ minLength: 1, maxLength: 128 }),
  auditHead: AuditHeadAtExport,
  encryption: Type.Union([SealEncryption, Type.Null()]),
}, { additionalProperties: false });
export type SealHeader = Static<typeof SealHeader>;

export interface ExportFile {
  fileName: string;
  mediaType: string;
  body: Buffer;
}

export interface SealOptions {
  auditHead: AuditHeadAtExport;
  actor: string;
  at: Date;
  passphrase?: string | undefined;
  /** Tests pass cheaper parameters; the bounds above still apply. */
  scrypt?: { N: number; r: number; p: number };
}

/** A file that is not an export, was changed, or was opened with the wrong passphrase. */
export class SealError extends Error {
  override name = 'SealError';
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export function sealKey(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 });
}

export function checkPassphrase(passphrase: string): void {
  const length = [...passphrase].length;
  if (length < PASSPHRASE_MIN) throw new SealError(`a passphrase needs at least ${PASSPHRASE_MIN} characters (a few words is easiest to pass on by phone)`);
  if (length > PASSPHRASE_MAX) throw new SealError(`a passphrase may have at most ${PASSPHRASE_MAX} characters`);
}

/** What the header says about the content: known before a byte of it is sealed. */
export interface SealContentInfo {
  fileName: string;
  mediaType: string;
  contentLength: number;
  contentSha256: string;
}

/**
 * The header line (the cipher's additional authenticated data) and, with a passphrase, the cipher
 * ready for the content: shared by sealExport and the streaming sealer, so both write one format.
 */
export function startSeal(content: SealContentInfo, options: SealOptions): { header: SealHeader; headerLine: Buffer; cipher: CipherGCM | null } {
  const passphrase = options.passphrase;
  if (passphrase !== undefined) checkPassphrase(passphrase);
  const params = options.scrypt ?? SCRYPT_DEFAULTS;
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header: SealHeader = {
    fileName: content.fileName,
    mediaType: content.mediaType,
    contentLength: content.contentLength,
    contentSha256: content.contentSha256,
    exportedAt: options.at.toISOString(),
    exportedBy: options.actor,
    auditHead: options.auditHead,
    encryption: passphrase === undefined ? null : {
      cipher: 'aes-256-gcm', kdf: 'scrypt', salt: salt.toString('base64'), N: params.N, r: params.r, p: params.p, iv: iv.toString('base64'),
    },
  };
  if (!Value.Check(SealHeader, header)) {
    const first = [...Value.Errors(SealHeader, header)][0];
    throw new SealError(`cannot seal this export: ${first?.instancePath || '(header)'} ${first?.message ?? 'is not valid'}`);
  }
  const headerLine = Buffer.from(`${SEAL_MAGIC}\n${JSON.stringify(header)}\n`, 'utf8');
  if (passphrase === undefined) return { header, headerLine, cipher: null };
  const cipher = createCipheriv('aes-256-gcm', sealKey(passphrase, salt, params), iv);
  cipher.setAAD(headerLine);
  return { header, headerLine, cipher };
}

/** The content in its envelope: `${fileName}.sgexport`, with or without encryption. */
export function sealExport(file: ExportFile, options: SealOptions): ExportFile {
  const { headerLine, cipher } = startSeal({
    fileName: file.fileName, mediaType: file.mediaType, contentLength: file.body.length, contentSha256: sha256(file.body),
  }, options);
  const payload = cipher === null ? file.body : Buffer.concat([cipher.update(file.body), cipher.final(), cipher.getAuthTag()]);
  return { fileName: `${file.fileName}${SEALED_SUFFIX}`, mediaType: SEALED_MEDIA_TYPE, body: Buffer.concat([headerLine, payload]) };
}

/** Reads the header alone (no passphrase needed): what a file is and which audit head vouches for it. */
export function readSealHeader(sealed: Buffer): { header: SealHeader; headerBytes: number } {
  const magic = Buffer.from(`${SEAL_MAGIC}\n`, 'utf8');
  if (sealed.length < magic.length || !sealed.subarray(0, magic.length).equals(magic)) {
    throw new SealError(`this is not a Schoolgate export (it does not start with "${SEAL_MAGIC}")`);
  }
  const end = sealed.indexOf(0x0a, magic.length);
  if (end < 0) throw new SealError('the export is cut short: its header has no end');
  let parsed: unknown;
  try {
    parsed = JSON.parse(sealed.subarray(magic.length, end).toString('utf8'));
  } catch {
    throw new SealError('the export\'s header is not JSON: the file was changed');
  }
  if (!Value.Check(SealHeader, parsed)) {
    const first = [...Value.Errors(SealHeader, parsed)][0];
    throw new SealError(`the export's header is not valid (${first?.instancePath || '(header)'} ${first?.message ?? ''}): the file was changed`);
  }
  return { header: parsed, headerBytes: end + 1 };
}

export interface OpenedExport extends ExportFile {
  header: SealHeader;
}

/**
 * The content, checked: a wrong passphrase, a changed header or a changed byte anywhere is
 * refused with a SealError that says which; nothing half-checked is returned.
 */
export function openExport(sealed: Buffer, passphrase?: string): OpenedExport {
  const { header, headerBytes } = readSealHeader(sealed);
  const payload = sealed.subarray(headerBytes);
  let body: Buffer;
  if (header.encryption === null) {
    if (passphrase !== undefined) throw new SealError('this export is not encrypted: open it without a passphrase (its content hash is still checked)');
    body = payload;
  } else {
    if (passphrase === undefined) throw new SealError('this export is encrypted: give its passphrase (--passphrase-file FILE)');
    const enc = header.encryption;
    if (payload.length < TAG_BYTES) throw new SealError('the export is cut short: its content is missing');
    const decipher = createDecipheriv('aes-256-gcm', sealKey(passphrase, Buffer.from(enc.salt, 'base64'), enc), Buffer.from(enc.iv, 'base64'));
    decipher.setAAD(sealed.subarray(0, headerBytes));
    decipher.setAuthTag(payload.subarray(payload.length - TAG_BYTES));
    try {
      body = Buffer.concat([decipher.update(payload.subarray(0, payload.length - TAG_BYTES)), decipher.final()]);
    } catch {
      // GCM cannot tell the two apart, and saying which would help a guesser no more than this.
      throw new SealError('the passphrase is wrong, or the file was changed after it was sealed: nothing was opened');
    }
  }
  const digest = Buffer.from(sha256(body), 'hex');
  if (body.length !== header.contentLength || !timingSafeEqual(digest, Buffer.from(header.contentSha256, 'hex'))) {
    throw new SealError('the content does not match the SHA-256 in its header: the file was changed after it was sealed');
  }
  return { fileName: header.fileName, mediaType: header.mediaType, body, header };
}
