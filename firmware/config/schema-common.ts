// The small shapes every part of the configuration shares (ids, addresses, names, times), apart
// so that a section kept in its own file (alerts-schema.ts) can use them without importing the
// whole document's schema, which imports that section.
import { Type, type Static } from 'typebox';

// Identifiers appear in URLs, CLI arguments, nftables set names and log lines: keep them plain.
export const Id = Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$', description: 'lower-case id: letters, digits, dashes; starts with a letter; at most 32 characters' });

export const Cidr = Type.String({ minLength: 3, maxLength: 64, description: 'an IPv4 or IPv6 prefix, e.g. 10.20.0.0/16 or fd00:20::/64' });
export const IpAddress = Type.String({ minLength: 2, maxLength: 45, description: 'an IPv4 or IPv6 address' });
export const Port = Type.Integer({ minimum: 1, maximum: 65535 });
export const Hostname = Type.String({
  minLength: 1, maxLength: 253,
  pattern: '^(\\*\\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$',
  description: 'a lower-case domain name such as example.com, optionally starting with "*." (IDNs in punycode, xn--)',
});
export const Hhmm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'a time of day, HH:MM (24-hour)' });

export const Endpoint = Type.Object({
  address: IpAddress,
  port: Port,
}, { additionalProperties: false });
export type Endpoint = Static<typeof Endpoint>;
