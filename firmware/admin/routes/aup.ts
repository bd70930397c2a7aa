// The AUP splash in the admin API. Acceptances (devices.view, read-only): which device accepted
// which version on which network and when, through the control method `schoolgate aup acceptances`
// uses. Settings (policy.view reads, policy.edit changes): the configuration's `aup` section, saved
// through saveConfigChange, the single save path.
import { AupAcceptancesView, AupSettingsBody, AupSettingsSaved, AupSettingsView } from '../api/aup-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { actorOf } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import { accountPermissions } from '../auth/views.ts';
import { applyAupSettings, aupSettingsField, aupSettingsIssues, aupSettingsView } from '../aup-settings.ts';
import { saveConfigChange } from '../config-change.ts';
import { callControl } from '../control-call.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 503: ApiError };

export const aupRoutes: AdminRoutes = async (app, deps) => {
  const { options } = deps;
  const configAccess = () => {
    if (!options.config) throw new AuthError(503, 'no-config', 'this gateway was started without its configuration store');
    return options.config;
  };

  app.get('/api/aup/acceptances', {
    schema: { response: { 200: AupAcceptancesView, 401: ApiError, 403: ApiError, 503: ApiError } },
    config: { permission: 'devices.view' },
  }, async (request): Promise<AupAcceptancesView> => callControl<AupAcceptancesView>(options.control, request.signed, 'aup.acceptances', {}));

  app.get('/api/aup/settings', {
    schema: { response: { 200: AupSettingsView, ...Errors } },
    config: { permission: 'policy.view' },
  }, async (request): Promise<AupSettingsView> => aupSettingsView(configAccess().current(), accountPermissions(request.signed!.account).includes('policy.edit')));

  app.put<{ Body: AupSettingsBody }>('/api/aup/settings', {
    schema: { body: AupSettingsBody, response: { 200: AupSettingsSaved, ...Errors } },
    config: { permission: 'policy.edit' },
  }, async (request): Promise<AupSettingsSaved> => {
    const config = configAccess();
    const issues = aupSettingsIssues(request.body);
    const count = Object.keys(issues).length;
    if (count > 0) throw new AuthError(400, 'invalid', `nothing was saved: ${count === 1 ? 'one problem' : `${count} problems`} to put right first`, issues);
    const saved = await saveConfigChange({ config, audit: options.audit }, {
      actor: actorOf(request.signed!.account),
      action: 'aup.edit',
      subject: 'aup',
      change: (draft) => applyAupSettings(draft, request.body),
      fieldOf: aupSettingsField,
    });
    return { settings: aupSettingsView(config.current(), true), versionChanged: saved.versionChanged, changed: saved.changed };
  });
};
