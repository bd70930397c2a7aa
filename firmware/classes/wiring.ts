// The class view's service and control methods, built from what the daemon already runs: the
// configuration store (unlocks are configuration), state.db (devices, accounts, the audit log)
// and the query log.
import type { ConfigStore } from '../config/store.ts';
import type { ControlServer } from '../control/server.ts';
import type { QueryLog } from '../monitor/query-log/query-log.ts';
import { loadCatalogue, type CategoryDefinition } from '../rules/catalogue.ts';
import type { StateDatabase } from '../state/database.ts';
import { registerClassMethods } from './class-methods.ts';
import { ClassService } from './class-service.ts';

let catalogue: ReadonlyMap<string, CategoryDefinition> | undefined;
/** A category as the pages name it: the catalogue's title, else its id. */
export const categoryTitle = (id: string): string => (catalogue ??= loadCatalogue().categories).get(id)?.title ?? id;

export function wireClasses(control: Pick<ControlServer, 'register'>, o: { config: ConfigStore; state: StateDatabase; queryLog: QueryLog; now?: () => Date }): ClassService {
  const service = new ClassService({
    config: o.config, devices: o.state.devices, accounts: o.state.accounts, audit: o.state.audit, queryLog: o.queryLog,
    titleOf: categoryTitle, now: o.now ?? (() => new Date()),
  });
  registerClassMethods(control, service);
  return service;
}
