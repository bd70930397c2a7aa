// The optional `portal` section: what the visitor portal shows and links (issue #21). Absent, the
// portal uses its built-in terms (firmware/portal/captive/settings.ts).
import { Type, type Static } from 'typebox';

const url = (description: string) => Type.String({ maxLength: 500, pattern: '^https?://[^\\s<>"]+$', description });

export const PortalTerms = Type.Object({
  version: Type.String({ pattern: '^[A-Za-z0-9._-]{1,32}$', description: 'recorded with each acceptance; change it when the text changes (each autumn, say)' }),
  text: Type.String({ minLength: 1, maxLength: 20_000, description: 'the guest acceptable-use terms, plain text; blank lines separate paragraphs' }),
  summary: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the terms in one line, printed on voucher slips (default: the built-in one)' })),
}, { additionalProperties: false });
export type PortalTerms = Static<typeof PortalTerms>;

export const PortalSettings = Type.Object({
  terms: PortalTerms,
  privacyNoticeUrl: Type.Optional(url('the school\'s privacy notice, linked from every portal page')),
  venueInfoUrl: Type.Optional(url("RFC 8908's venue-info-url: the school's page for visitors")),
}, { additionalProperties: false });
export type PortalSettings = Static<typeof PortalSettings>;
