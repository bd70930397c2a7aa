// System > Upgrade (system.manage): the release file arrives as the request body and goes to the
// daemon through the same control methods as `schoolgate upgrade FILE` (upgrade.upload in pieces
// as it arrives, ../upload-body.ts; then upgrade.request to check it), so the page and the CLI
// refuse the same files with the same words and the same audit entries; a second request confirms it and hands it to the switcher.
import type { Readable } from 'node:stream';
import { UpgradeChecked, UpgradeConfirmBody, UpgradeView } from '../api/upgrade-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { actorNames } from '../actor-names.ts';
import { callControl } from '../control-call.ts';
import { MAX_RELEASE_BYTES } from '../../upgrade/upgrade-methods.ts';
import { acceptStreamedBodies, forwardUpload } from '../upload-body.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 413: ApiError, 503: ApiError };

export const upgradeRoutes: AdminRoutes = async (app, deps) => {
  const control = deps.options.control;

  app.get('/api/system/upgrade', {
    schema: { response: { 200: UpgradeView, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request): Promise<UpgradeView> => {
    const overview = await callControl<Omit<UpgradeView, 'names'>>(control, request.signed, 'upgrade.status', undefined);
    return { ...overview, names: actorNames(deps.options.accounts, [overview.pending?.by, ...overview.history.map((e) => e.by)]) };
  });

  await app.register(async (scope) => {
    acceptStreamedBodies(scope, MAX_RELEASE_BYTES);
    scope.post<{ Body: Readable }>('/api/system/upgrade/upload', {
      bodyLimit: MAX_RELEASE_BYTES,
      schema: { response: { 200: UpgradeChecked, ...Errors } },
      config: { permission: 'system.manage' },
    }, async (request) => {
      const upload = await forwardUpload(control, request.signed, 'upgrade.upload', request.body);
      const checked = await callControl<Omit<UpgradeChecked, 'upload'>>(control, request.signed, 'upgrade.request', { upload, check: true });
      return { ...checked, upload };
    });
  });

  app.post<{ Body: UpgradeConfirmBody }>('/api/system/upgrade/confirm', {
    schema: { body: UpgradeConfirmBody, response: { 200: UpgradeChecked, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request) => {
    const requested = await callControl<Omit<UpgradeChecked, 'upload'>>(control, request.signed, 'upgrade.request', request.body);
    return { ...requested, upload: request.body.upload };
  });
};
