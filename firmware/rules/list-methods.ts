// The control-socket methods behind `schoolgate lists …`, in one place so the daemon registers
// them with one call, and a list feed service joins with one more argument (`feeds`).
import { Type, type Static } from 'typebox';
import { actorOf } from '../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../control/server.ts';
import { FeedRequestError } from './feeds/feed-service.ts';
import type { FeedUpdater, FeedUpdateResult } from './feeds/types.ts';
import { uploadMethod } from '../control/upload.ts';
import { importList, ImportParams, listUploads, MAX_IMPORT_REQUEST_BYTES, removeList, RemoveParams, type ListAdminDeps } from './list-admin.ts';
import type { ListsManager } from './lists-manager.ts';
import { listsView } from './lists-view.ts';

export interface ListMethodDeps extends ListAdminDeps {
  lists: Pick<ListsManager, 'reload' | 'listsDir' | 'report'>;
  /** The list feed service; until there is one, `lists.update` is not offered. */
  feeds?: FeedUpdater;
}

export const UpdateParams = Type.Object({
  only: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  force: Type.Optional(Type.Boolean({ description: 'accept a download that shrank by more than half (a real clean-up by the provider)' })),
}, { additionalProperties: false });
export type UpdateParams = Static<typeof UpdateParams>;

export function registerListMethods(control: Pick<ControlServer, 'register'>, given: ListMethodDeps): void {
  // One store for lists.upload and the imports that use what it stored.
  const deps = { ...given, uploads: given.uploads ?? listUploads(given.lists.listsDir) };
  const { config, lists, audit, feeds } = deps;
  control.register('lists', { handle: () => listsView(lists.report, config.current, feeds?.status() ?? []) });
  control.register('lists.reload', { handle: async (_params, caller) => {
    try {
      // Forced: the technician asked for the files to be read again, whatever their stamps say.
      const report = await lists.reload(config.current, { force: true });
      audit.append({ actor: actorOf(caller), action: 'lists.reload', details: { names: report.names, compileMs: report.compileMs } });
      return listsView(report, config.current, feeds?.status() ?? []);
    } catch (err) {
      throw new ControlFailure('lists-unreadable', `${(err as Error).message}. The lists in service are kept.`);
    }
  } });
  control.register('lists.upload', uploadMethod(deps.uploads));
  control.register<ImportParams>('lists.import', {
    params: ImportParams,
    maxRequestBytes: MAX_IMPORT_REQUEST_BYTES,
    handle: (params, caller) => importList(deps, params, actorOf(caller)),
  });
  control.register<RemoveParams>('lists.remove', {
    params: RemoveParams,
    handle: (params, caller) => removeList(deps, params, actorOf(caller)),
  });
  if (feeds) {
    control.register<UpdateParams>('lists.update', {
      params: UpdateParams,
      handle: async (params, caller, context) => {
        const actor = actorOf(caller);
        if (params.only !== undefined && !config.current.lists.some((l) => l.id === params.only && l.feed)) {
          throw new ControlFailure('unknown-list', `there is no list "${params.only}" with a feed (feeds: ${config.current.lists.filter((l) => l.feed).map((l) => l.id).join(', ') || 'none'})`);
        }
        let results: FeedUpdateResult[];
        try {
          results = await feeds.update({
            ...(params.only ? { only: params.only } : {}), ...(params.force ? { force: true } : {}),
            onProgress: (line) => context.progress(line), actor,
          });
        } catch (err) {
          if (err instanceof FeedRequestError) throw new ControlFailure('unknown-list', err.message);
          throw err;
        }
        // Routine content refreshes are not policy changes: no proposal, but always on record.
        audit.append({
          actor, action: 'lists.update', ...(params.only ? { subject: params.only } : {}),
          details: { results: results.map((r) => ({ list: r.list, outcome: r.outcome, entries: r.entries ?? null, badLines: r.badLines ?? null, error: r.error ?? null })) },
        });
        return { results };
      },
    });
  }
}
