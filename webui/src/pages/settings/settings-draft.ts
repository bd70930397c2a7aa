// The settings form's text fields and how they become the API's body: kept as the strings the
// person typed (so an error never rewrites them), turned into numbers only when sent. Pure, so
// the conversion is tested without a browser.
import type { SettingsBody, SettingsView } from '../../../../firmware/admin/api/settings-schema.ts';
import type { AlertContact } from '../../../../firmware/config/alerts-schema.ts';

export const CONTACT_ROLES: readonly { value: AlertContact['role']; label: string }[] = [
  { value: 'dsl', label: 'Designated safeguarding lead' },
  { value: 'deputy-dsl', label: 'Deputy DSL' },
  { value: 'headteacher', label: 'Headteacher' },
  { value: 'online-safety-lead', label: 'Online-safety lead' },
  { value: 'it-provider', label: 'IT provider' },
  { value: 'trust-reviewer', label: 'Trust reviewer' },
];

export const RETENTION_FIELDS = [
  { key: 'queryEventsDays', label: 'Each DNS question', required: true },
  { key: 'hourlyRollupsDays', label: 'Hourly counts per device', required: false, default: 90 },
  { key: 'rollupsDays', label: 'Daily counts per device', required: true },
  { key: 'networkEventsDays', label: 'Network events (tethering, bypass attempts)', required: false, default: 90 },
  { key: 'alertsDays', label: 'Acknowledged alerts', required: false, default: 400 },
  { key: 'visitorRecordsDays', label: 'Visitor records', required: true },
] as const;
export type RetentionKey = (typeof RETENTION_FIELDS)[number]['key'];

export interface ContactDraft { name: string; role: AlertContact['role']; email: string }

export interface SettingsDraft {
  name: string;
  timezone: string;
  idleMinutes: string;
  absoluteHours: string;
  signInsPerMinute: string;
  contacts: ContactDraft[];
  email: boolean;
  host: string;
  port: string;
  security: 'tls' | 'starttls' | 'none';
  username: string;
  from: string;
  password: string;
  clearPassword: boolean;
  webhook: boolean;
  url: string;
  secret: string;
  retention: Record<RetentionKey, string>;
}

export function draftOf(view: SettingsView): SettingsDraft {
  const email = view.alerts.email;
  const retention = Object.fromEntries(RETENTION_FIELDS.map((f) => [f.key, view.retention[f.key] === undefined ? '' : String(view.retention[f.key])])) as Record<RetentionKey, string>;
  return {
    name: view.site.name,
    timezone: view.site.timezone,
    idleMinutes: String(view.sessions.idleMinutes),
    absoluteHours: String(view.sessions.absoluteHours),
    signInsPerMinute: String(view.signInsPerMinute),
    contacts: view.alerts.contacts.map((c) => ({ name: c.name, role: c.role, email: c.email ?? '' })),
    email: email !== null,
    host: email?.host ?? '',
    port: email?.port === undefined ? '' : String(email.port),
    security: email?.security ?? 'starttls',
    username: email?.username ?? '',
    from: email?.from ?? '',
    password: '',
    clearPassword: false,
    webhook: view.alerts.webhook !== null,
    url: view.alerts.webhook?.url ?? '',
    secret: '',
    retention,
  };
}

/** A whole number as typed; anything else goes as-is, so the server's message lands beside it. */
function int(text: string): number {
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : (t as unknown as number);
}

export function bodyOf(d: SettingsDraft): SettingsBody {
  const retention = Object.fromEntries(RETENTION_FIELDS.flatMap((f) => {
    const t = d.retention[f.key].trim();
    return t === '' && !f.required ? [] : [[f.key, int(t)]];
  })) as SettingsBody['retention'];
  return {
    site: { name: d.name.trim(), timezone: d.timezone },
    sessions: { idleMinutes: int(d.idleMinutes), absoluteHours: int(d.absoluteHours) },
    signInsPerMinute: int(d.signInsPerMinute),
    alerts: {
      contacts: d.contacts.map((c) => ({ name: c.name.trim(), role: c.role, ...(c.email.trim() !== '' ? { email: c.email.trim() } : {}) })),
      email: !d.email ? null : {
        host: d.host.trim(), security: d.security, from: d.from.trim(),
        ...(d.port.trim() !== '' ? { port: int(d.port) } : {}),
        ...(d.username.trim() !== '' ? { username: d.username.trim() } : {}),
        ...(d.password !== '' ? { password: d.password } : {}),
        ...(d.clearPassword && d.password === '' ? { clearPassword: true } : {}),
      },
      webhook: !d.webhook ? null : { url: d.url.trim(), ...(d.secret !== '' ? { secret: d.secret } : {}) },
    },
    retention,
  };
}
