// Who hears about a concern, and how: the configuration of firmware/monitor's alerts. Its own
// file because alerts carry the most settings of any one section and the web UI's alert settings
// page will edit exactly this shape. Secrets (the SMTP password, the webhook's signing key) are
// never in the configuration document, which `schoolgate config show` prints and backups copy in
// the clear: they are files the configuration names, readable by the daemon only.
import { Type, type Static } from 'typebox';
import { Hostname, Id, IpAddress, Port } from './schema-common.ts';

export const EmailAddress = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@<>",;]+@[^\\s@<>",;]+$', description: 'one e-mail address' });

export const ContactRole = Type.Union([
  Type.Literal('dsl'), Type.Literal('deputy-dsl'), Type.Literal('headteacher'), Type.Literal('online-safety-lead'),
  Type.Literal('it-provider'), Type.Literal('trust-reviewer'),
], { description: 'why this person is told: the safeguarding roles of the school policies, and the IT provider for technical alerts' });

export const AlertContact = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  role: ContactRole,
  email: Type.Optional(EmailAddress),
}, { additionalProperties: false });
export type AlertContact = Static<typeof AlertContact>;

export const SecretFile = Type.String({ minLength: 1, maxLength: 255, description: 'a file holding the secret: an absolute path, or relative to the data directory; the daemon reads it at start and on every configuration change' });

export const AlertEmail = Type.Object({
  host: Type.Union([Hostname, IpAddress], { description: 'the SMTP server (the school\'s or its e-mail provider\'s relay)' }),
  port: Type.Optional(Port),
  security: Type.Union([Type.Literal('tls'), Type.Literal('starttls'), Type.Literal('none')], { description: 'tls: TLS from the first byte (port 465); starttls: upgrade required (port 587); none: loopback only' }),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  passwordFile: Type.Optional(SecretFile),
  from: EmailAddress,
}, { additionalProperties: false });
export type AlertEmail = Static<typeof AlertEmail>;

export const AlertWebhook = Type.Object({
  url: Type.String({ minLength: 9, maxLength: 500, pattern: '^https?://[^\\s]+$', description: 'where each alert is POSTed as JSON (https, or http to a loopback address)' }),
  secretFile: SecretFile,
}, { additionalProperties: false });
export type AlertWebhook = Static<typeof AlertWebhook>;

export const Alerts = Type.Object({
  contacts: Type.Array(AlertContact, { maxItems: 16, description: 'in escalation order: a critical alert goes to the first contact at once, and to the next one each time it stays unacknowledged for escalateAfterMinutes' }),
  escalateAfterMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, description: 'a critical alert not acknowledged in this time goes to the next contact (default 30)' })),
  throttleMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, description: 'alerts of one kind from one device within this window are one alert with a count (default 15)' })),
  keywords: Type.Optional(Type.Object({
    lists: Type.Optional(Type.Array(Id, { maxItems: 32, description: 'shipped keyword lists to match against the names looked up (default: all of them)' })),
    extra: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 63, pattern: '^[a-z0-9-]+$' }), { maxItems: 1000, description: "the school's own keywords (lower case letters, digits, dashes)" })),
  }, { additionalProperties: false })),
  watch: Type.Optional(Type.Array(Hostname, { maxItems: 1000, description: 'names allowed but every visit an alert for the weekly review (the name and everything below it)' })),
  email: Type.Optional(AlertEmail),
  webhook: Type.Optional(AlertWebhook),
}, { additionalProperties: false });
export type Alerts = Static<typeof Alerts>;
