// The settings page's API shapes: the school's name and time zone, the web sessions' limits, the
// alerts' delivery and the retention periods, read with health.view and changed with
// system.manage. Secrets (the SMTP password, the webhook's signing key) are write-only: a body
// may carry a new one, and an answer only ever says whether one is set.
import { Type, type Static } from 'typebox';
import { AlertContact, EmailAddress } from '../../config/alerts-schema.ts';
import { Retention } from '../../config/schema.ts';
import { Hostname, IpAddress, Port } from '../../config/schema-common.ts';

export const SecretState = Type.Union([Type.Literal('set'), Type.Literal('not set')], { description: 'whether a secret is stored; never the secret itself' });
export type SecretState = Static<typeof SecretState>;

const Site = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'an IANA time zone, e.g. Europe/London' }),
}, { additionalProperties: false });

const Sessions = Type.Object({
  idleMinutes: Type.Integer({ minimum: 5, maximum: 480 }),
  absoluteHours: Type.Integer({ minimum: 1, maximum: 24 }),
}, { additionalProperties: false });

const EmailBase = {
  host: Type.Union([Hostname, IpAddress]),
  port: Type.Optional(Port),
  security: Type.Union([Type.Literal('tls'), Type.Literal('starttls'), Type.Literal('none')]),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  from: EmailAddress,
};
const WebhookUrl = Type.String({ minLength: 9, maxLength: 500, pattern: '^https?://[^\\s]+$' });
const Secret = Type.String({ minLength: 1, maxLength: 1024 });

export const LogoView = Type.Object({
  present: Type.Boolean(),
  type: Type.Optional(Type.String()),
  bytes: Type.Optional(Type.Integer()),
});
export type LogoView = Static<typeof LogoView>;

export const SettingsView = Type.Object({
  site: Site,
  sessions: Sessions,
  signInsPerMinute: Type.Integer(),
  alerts: Type.Object({
    contacts: Type.Array(AlertContact),
    email: Type.Union([Type.Object({ ...EmailBase, password: SecretState }), Type.Null()]),
    webhook: Type.Union([Type.Object({ url: WebhookUrl, secret: SecretState }), Type.Null()]),
  }),
  retention: Retention,
  logo: LogoView,
  /** Whether the signed-in account may change them (system.manage). */
  editable: Type.Boolean(),
});
export type SettingsView = Static<typeof SettingsView>;

export const SettingsBody = Type.Object({
  site: Site,
  sessions: Sessions,
  signInsPerMinute: Type.Integer({ minimum: 3, maximum: 600 }),
  alerts: Type.Object({
    contacts: Type.Array(AlertContact, { maxItems: 16 }),
    // A password given replaces the stored one; absent keeps it; clearPassword removes it.
    email: Type.Union([Type.Object({ ...EmailBase, password: Type.Optional(Secret), clearPassword: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), Type.Null()]),
    // A new webhook needs its signing key; a kept one keeps its key unless a new one is given.
    webhook: Type.Union([Type.Object({ url: WebhookUrl, secret: Type.Optional(Secret) }, { additionalProperties: false }), Type.Null()]),
  }, { additionalProperties: false }),
  retention: Retention,
}, { additionalProperties: false });
export type SettingsBody = Static<typeof SettingsBody>;

export const SettingsSaved = Type.Object({ settings: SettingsView, changed: Type.Array(Type.String()) });
export type SettingsSaved = Static<typeof SettingsSaved>;

export const LogoBody = Type.Object({
  /** The file, base64-encoded (JSON keeps the one body parser and the CSRF check the same as every other change). */
  data: Type.String({ minLength: 4, maxLength: 350_000 }),
}, { additionalProperties: false });
export type LogoBody = Static<typeof LogoBody>;
