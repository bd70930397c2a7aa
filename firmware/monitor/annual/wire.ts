// The annual review's wiring, called with one line from the daemon's control methods: the stores,
// the catalogue and the clock. The weekly reviews and incidents join here (reviews, incidents)
// once their modules are in the same tree.
import { CATALOGUE } from '../../config/defaults.ts';
import type { ConfigStore } from '../../config/store.ts';
import type { ControlServer } from '../../control/server.ts';
import type { StateDatabase } from '../../state/database.ts';
import { registerAnnualMethods } from './methods.ts';
import type { IncidentHistorySource, ReviewHistorySource } from './pack-types.ts';

export function wireAnnualReview(control: Pick<ControlServer, 'register'>, o: {
  config: ConfigStore; state: StateDatabase; dataDir?: string; reviews?: ReviewHistorySource; incidents?: IncidentHistorySource; exportProtection?: readonly string[];
}): void {
  registerAnnualMethods(control, {
    config: () => o.config.current, categories: CATALOGUE.categories, state: o.state, now: () => new Date(),
    ...(o.dataDir ? { dataDir: o.dataDir } : {}), ...(o.reviews ? { reviews: o.reviews } : {}), ...(o.incidents ? { incidents: o.incidents } : {}),
    ...(o.exportProtection ? { exportProtection: o.exportProtection } : {}),
  });
}
