// The signed manifest at the head of a release file (docs/release-format.md): what the release is,
// which machine it is for, and the SHA-256 of the payload it carries.
import { Type, type Static } from 'typebox';

export const RELEASE_VERSION_PATTERN = '^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$';

export const ReleaseManifest = Type.Object({
  format: Type.Literal(1),
  version: Type.String({ pattern: RELEASE_VERSION_PATTERN, maxLength: 64 }),
  arch: Type.Union([Type.Literal('x64'), Type.Literal('arm64')]),
  /** Hex SHA-256 of the payload (the bytes after the signature line). */
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** The payload's length in bytes: a shorter file is truncated. */
  size: Type.Integer({ minimum: 1 }),
  compression: Type.Union([Type.Literal('gzip'), Type.Literal('none')]),
  /** The oldest installed version this release may replace (its data migrations start there). */
  minFromVersion: Type.String({ pattern: RELEASE_VERSION_PATTERN, maxLength: 64 }),
  commit: Type.String({ maxLength: 80 }),
  builtAt: Type.String({ maxLength: 40 }),
  notes: Type.String({ maxLength: 8000 }),
  /** The first 16 hex digits of the SHA-256 of the signing key's public DER (SPKI). */
  keyId: Type.String({ pattern: '^[0-9a-f]{16}$' }),
}, { additionalProperties: false });
export type ReleaseManifest = Static<typeof ReleaseManifest>;
