// The settings page's view of the configuration and how a save changes it. Pure: the secrets
// arrive as the names of files the route has already written, so nothing here touches the disk.
import type { Config } from '../config/schema.ts';
import type { LogoView, SettingsBody, SettingsView } from './api/settings-schema.ts';
import { DEFAULT_SESSION_LIMITS } from './auth/authenticator.ts';

export const DEFAULT_SIGN_INS_PER_MINUTE = 10;

/** JSON with its keys sorted: a body's keys come in the order the page sent them, the file's in its own. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
    : v));
}

export function settingsView(config: Readonly<Config>, logo: LogoView, editable: boolean): SettingsView {
  const { email, webhook, contacts } = config.alerts ?? { contacts: [] };
  return {
    site: { name: config.site.name, timezone: config.site.timezone },
    sessions: { ...(config.web.sessions ?? DEFAULT_SESSION_LIMITS) },
    signInsPerMinute: config.web.signInsPerMinute ?? DEFAULT_SIGN_INS_PER_MINUTE,
    alerts: {
      contacts: contacts.map((c) => ({ ...c })),
      email: email === undefined ? null : {
        host: email.host, security: email.security, from: email.from,
        ...(email.port !== undefined ? { port: email.port } : {}),
        ...(email.username !== undefined ? { username: email.username } : {}),
        password: email.passwordFile === undefined ? 'not set' : 'set',
      },
      webhook: webhook === undefined ? null : { url: webhook.url, secret: 'set' },
    },
    retention: { ...config.retention },
    logo,
    editable,
  };
}

/** Files the route wrote for the secrets the body carried (relative to the data directory). */
export interface NewSecretFiles {
  smtpPassword?: string;
  webhookSecret?: string;
}

/** Where each configuration path's error shows on the page. */
export function settingsField(path: string): string | undefined {
  if (path.startsWith('/site/')) return path.slice(1);
  if (path.startsWith('/web/sessions')) return `sessions${path.slice('/web/sessions'.length)}`;
  if (path === '/web/signInsPerMinute') return 'signInsPerMinute';
  if (path === '/alerts/webhook/secretFile') return 'alerts/webhook/secret';
  if (path === '/alerts/email/passwordFile') return 'alerts/email/password';
  if (path.startsWith('/alerts/')) return path.slice(1);
  if (path.startsWith('/retention/')) return path.slice(1);
  return undefined;
}

/**
 * Applies the page's body to the draft; returns the names of the settings it changed (for the
 * audit entry: the names, never a secret) and the secret files the draft no longer names.
 */
export function applySettings(draft: Config, body: SettingsBody, files: NewSecretFiles): { changed: string[]; released: string[] } {
  const was = settingsView(structuredClone(draft), { present: false }, true);
  const released: string[] = [];
  const changed = new Set<string>();
  draft.site = { ...draft.site, name: body.site.name, timezone: body.site.timezone };
  draft.web = { ...draft.web, sessions: { ...body.sessions }, signInsPerMinute: body.signInsPerMinute };
  draft.retention = { ...body.retention };

  const old = draft.alerts;
  const email = body.alerts.email;
  let passwordFile = old?.email?.passwordFile;
  if (email !== null && (email.password !== undefined || email.clearPassword === true)) {
    if (passwordFile !== undefined) released.push(passwordFile);
    passwordFile = email.clearPassword === true ? undefined : files.smtpPassword;
    changed.add('alerts.email.password');
  }
  if (email === null && passwordFile !== undefined) released.push(passwordFile);
  const webhook = body.alerts.webhook;
  let secretFile = old?.webhook?.secretFile;
  if (webhook !== null && webhook.secret !== undefined) {
    if (secretFile !== undefined) released.push(secretFile);
    secretFile = files.webhookSecret;
    changed.add('alerts.webhook.secret');
  }
  if (webhook === null && secretFile !== undefined) released.push(secretFile);

  const alerts = {
    ...(old ?? {}),
    contacts: body.alerts.contacts.map((c) => ({ ...c })),
    email: email === null ? undefined : {
      host: email.host, security: email.security, from: email.from,
      ...(email.port !== undefined ? { port: email.port } : {}),
      ...(email.username !== undefined ? { username: email.username } : {}),
      ...(passwordFile !== undefined ? { passwordFile } : {}),
    },
    // A webhook without its signing key does not validate: the store says so beside the field.
    webhook: webhook === null ? undefined : { url: webhook.url, secretFile: secretFile ?? '' },
  };
  if (alerts.email === undefined) delete alerts.email;
  if (alerts.webhook === undefined) delete alerts.webhook;
  // Nothing configured for alerts stays as it was: absent.
  if (old === undefined && alerts.contacts.length === 0 && !alerts.email && !alerts.webhook) delete draft.alerts;
  else draft.alerts = alerts;

  const after = settingsView(draft, { present: false }, true);
  for (const key of ['site', 'sessions', 'signInsPerMinute', 'retention'] as const) {
    if (canonical(was[key]) !== canonical(after[key])) changed.add(key);
  }
  for (const key of ['contacts', 'email', 'webhook'] as const) {
    if (canonical(was.alerts[key]) !== canonical(after.alerts[key])) changed.add(`alerts.${key}`);
  }
  return { changed: [...changed].sort(), released };
}
