// The RFC 8908 Captive Portal API document for one device: captive until the portal has
// authorised it, then the time its authorisation has left. Pure.
//
// bytes-remaining is for a portal that sells data by the megabyte; a voucher's tier caps the rate,
// not the volume, so no device here has bytes remaining to report and the field is never sent.
import { Type, type Static } from 'typebox';

export const CAPTIVE_CONTENT_TYPE = 'application/captive+json';

export const CaptiveDocument = Type.Object({
  'captive': Type.Boolean(),
  'user-portal-url': Type.String(),
  'venue-info-url': Type.Optional(Type.String()),
  'seconds-remaining': Type.Optional(Type.Integer({ minimum: 0 })),
  'bytes-remaining': Type.Optional(Type.Integer({ minimum: 0 })),
  'can-extend-session': Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type CaptiveDocument = Static<typeof CaptiveDocument>;

export interface CaptiveInput {
  /** The device's authorisation now, if it has one. */
  secondsLeft: number | undefined;
  portalUrl: string;
  venueInfoUrl: string | null;
}

export function captiveDocument(input: CaptiveInput): CaptiveDocument {
  const doc: CaptiveDocument = { 'captive': input.secondsLeft === undefined || input.secondsLeft <= 0, 'user-portal-url': input.portalUrl };
  if (input.venueInfoUrl) doc['venue-info-url'] = input.venueInfoUrl;
  if (!doc.captive) doc['seconds-remaining'] = input.secondsLeft!;
  return doc;
}
