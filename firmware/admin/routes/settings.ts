// The settings page (health.view reads, system.manage changes): the school's name and time zone,
// the web sessions' limits, the alerts' delivery and the retention periods, saved through
// saveConfigChange; the secrets it is given are written to files in the data directory, which the
// configuration then names, and are never answered again. The logo is an image file beside them
// (logo.ts), served to anyone at /logo: the sign-in page, the block page and the portal show it.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { writeFileDurably } from '../../config/durable-file.ts';
import { LogoBody, LogoView, SettingsBody, SettingsSaved, SettingsView } from '../api/settings-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { actorOf } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import { accountPermissions } from '../auth/views.ts';
import { saveConfigChange } from '../config-change.ts';
import { describeLogo, LOGO_CSP, LogoError, LogoStore, MAX_LOGO_BYTES } from '../logo.ts';
import { applySettings, settingsField, settingsView, type NewSecretFiles } from '../settings.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 503: ApiError };

export const settingsRoutes: AdminRoutes = async (app, deps) => {
  const { options } = deps;
  const dataDir = () => {
    if (!options.dataDir) throw new AuthError(503, 'no-data-dir', 'this gateway was started without a data directory');
    return options.dataDir;
  };
  const configAccess = () => {
    if (!options.config) throw new AuthError(503, 'no-config', 'this gateway was started without its configuration store');
    return options.config;
  };
  const logoStore = () => new LogoStore(dataDir());
  const logoView = (): Promise<LogoView> => describeLogo(options.dataDir);

  app.get('/api/settings', {
    schema: { response: { 200: SettingsView, ...Errors } },
    config: { permission: 'health.view' },
  }, async (request) => settingsView(configAccess().current(), await logoView(), accountPermissions(request.signed!.account).includes('system.manage')));

  app.put<{ Body: SettingsBody }>('/api/settings', {
    schema: { body: SettingsBody, response: { 200: SettingsSaved, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request) => {
    const config = configAccess();
    const body = request.body;
    const current = config.current();
    if (body.alerts.webhook !== null && body.alerts.webhook.secret === undefined && current.alerts?.webhook === undefined) {
      throw new AuthError(400, 'invalid', 'nothing was saved: one problem to put right first', { 'alerts/webhook/secret': 'a new webhook needs its signing key' });
    }
    // Each secret goes to a file of its own name, so a save the configuration refuses leaves the
    // stored one untouched; the file it replaced is removed only after the save.
    const files: NewSecretFiles = {};
    const written: string[] = [];
    const writeSecret = async (kind: string, value: string) => {
      const name = join('secrets', `${kind}-${randomBytes(6).toString('hex')}`);
      await mkdir(join(dataDir(), 'secrets'), { recursive: true, mode: 0o700 });
      await writeFileDurably(join(dataDir(), name), value, { mode: 0o600 });
      written.push(name);
      return name;
    };
    if (body.alerts.email?.password !== undefined) files.smtpPassword = await writeSecret('smtp-password', body.alerts.email.password);
    if (body.alerts.webhook?.secret !== undefined) files.webhookSecret = await writeSecret('webhook-secret', body.alerts.webhook.secret);
    let saved: { changed: string[]; released: string[] };
    try {
      saved = await saveConfigChange({ config, audit: options.audit }, {
        actor: actorOf(request.signed!.account),
        action: 'settings.edit',
        subject: 'settings',
        change: (draft) => {
          const result = applySettings(draft, body, files);
          return { ...result, details: { changed: result.changed } };
        },
        fieldOf: settingsField,
      });
    } catch (error) {
      for (const name of written) await rm(join(dataDir(), name), { force: true });
      throw error;
    }
    // Only files this page wrote are removed: one the technician named by hand stays theirs.
    for (const name of saved.released) {
      if (!isAbsolute(name) && name.startsWith('secrets/')) await rm(join(dataDir(), name), { force: true });
    }
    return { settings: settingsView(config.current(), await logoView(), true), changed: saved.changed };
  });

  app.put<{ Body: LogoBody }>('/api/settings/logo', {
    bodyLimit: Math.ceil(MAX_LOGO_BYTES * 4 / 3) + 1024,
    schema: { body: LogoBody, response: { 200: LogoView, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request) => {
    const bytes = Buffer.from(request.body.data, 'base64');
    try {
      const type = await logoStore().save(bytes);
      options.audit.append({ actor: actorOf(request.signed!.account), action: 'settings.logo', subject: 'logo', details: { type, bytes: bytes.length } });
    } catch (error) {
      if (error instanceof LogoError) throw new AuthError(400, 'invalid-logo', `the logo was not changed: ${error.message}`, { logo: error.message });
      throw error;
    }
    return logoView();
  });

  app.delete('/api/settings/logo', {
    schema: { response: { 200: LogoView, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request) => {
    if (await logoStore().remove()) options.audit.append({ actor: actorOf(request.signed!.account), action: 'settings.logo', subject: 'logo', details: { removed: true } });
    return logoView();
  });

  // Public: the sign-in page shows it before anyone signs in, and it is no secret.
  app.get('/logo', { config: { permission: 'public' } }, async (_request, reply) => {
    const logo = options.dataDir ? await logoStore().read() : null;
    if (logo === null) throw new AuthError(404, 'no-logo', 'the school has not added a logo');
    reply.type(logo.type).header('content-security-policy', LOGO_CSP).header('cache-control', 'no-cache');
    return logo.bytes;
  });
};
