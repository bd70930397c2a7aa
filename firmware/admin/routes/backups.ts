// The Backups page's API (system.manage): the list and a backup made now through the same control
// methods as `schoolgate backup list|create`, and one backup's file for download (audited as
// backup.download). Restoring is not offered here: it runs with the daemon stopped (docs/backup.md).
import { createReadStream } from 'node:fs';
import type { BackupListResult } from '../../backup/backup-schema.ts';
import { actorNames } from '../actor-names.ts';
import { BackupCreateBody, BackupCreated, BackupFilePath, BackupListView, type BackupEntry } from '../api/backups-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { callControl } from '../control-call.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 503: ApiError };

export const backupRoutes: AdminRoutes = async (app, deps) => {
  const control = deps.options.control;

  app.get('/api/backups', {
    schema: { response: { 200: BackupListView, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request): Promise<BackupListView> => {
    const list = await callControl<BackupListResult>(control, request.signed, 'backup.list', {});
    return { ...list, names: actorNames(deps.options.accounts, list.backups.map((b) => b.createdBy)) };
  });

  app.post('/api/backups', {
    schema: { body: BackupCreateBody, response: { 200: BackupCreated, ...Errors } },
    config: { permission: 'system.manage' },
  }, async (request) => callControl<BackupCreated>(control, request.signed, 'backup.create', {}));

  app.get<{ Params: BackupFilePath }>('/api/backups/:file', {
    schema: { params: BackupFilePath },
    config: { permission: 'system.manage' },
  }, async (request, reply) => {
    const entry = await callControl<BackupEntry>(control, request.signed, 'backup.download', request.params);
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${entry.file}"`)
      .header('content-length', String(entry.size))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(createReadStream(entry.path));
  });
};
