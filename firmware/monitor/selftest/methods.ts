// The control-socket methods behind `schoolgate selftest`: run now, read the history, record an
// external test's result (audited under the SSH user, in the same transaction as the record).
import type { Config } from '../../config/schema.ts';
import type { AuditLog } from '../../control/audit.ts';
import { actorOf } from '../../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../../control/server.ts';
import type { SelftestRepository } from '../../state/selftest.ts';
import { InvalidInputError } from '../../state/values.ts';
import { networksToTest } from './plan.ts';
import {
  HistoryParams, ProbeParams, RecordExternalParams, SelftestParams, ShowParams, type ExternalTest, type ProbeResult, type SelftestHistory, type SelftestRun,
} from './selftest-schema.ts';
import type { SelftestService } from './service.ts';

export interface SelftestMethodDeps {
  config: { readonly current: Readonly<Config> };
  service: Pick<SelftestService, 'run' | 'probe'>;
  store: SelftestRepository;
  audit: Pick<AuditLog, 'append'>;
  /** Runs the record and its audit entry as one transaction (StateDatabase.transaction). */
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
}

const knownNetwork = (config: Readonly<Config>, network: string | undefined): void => {
  try {
    networksToTest(config, network);
  } catch (error) {
    throw new ControlFailure('unknown-network', (error as Error).message);
  }
};

export function registerSelftestMethods(control: Pick<ControlServer, 'register'>, deps: SelftestMethodDeps): void {
  control.register<SelftestParams>('selftest.run', {
    params: SelftestParams,
    handle: (params, caller, context): Promise<SelftestRun> => {
      knownNetwork(deps.config.current, params.network);
      return deps.service.run({ trigger: 'on-demand', actor: actorOf(caller), network: params.network, progress: (line) => context.progress(line) });
    },
  });
  control.register<ProbeParams>('selftest.probe', {
    params: ProbeParams,
    handle: async (params): Promise<ProbeResult> => {
      knownNetwork(deps.config.current, params.network);
      try {
        return await deps.service.probe(params);
      } catch (error) {
        throw new ControlFailure('invalid-input', (error as Error).message);
      }
    },
  });
  control.register<HistoryParams>('selftest.history', {
    params: HistoryParams,
    handle: (params): SelftestHistory => ({
      runs: deps.store.runs(params.limit ?? 30),
      rates: deps.store.rates(),
      external: deps.store.external(params.limit ?? 30),
    }),
  });
  control.register<ShowParams>('selftest.show', {
    params: ShowParams,
    handle: (params): SelftestRun => {
      const run = deps.store.get(params.id);
      if (!run) throw new ControlFailure('unknown-run', `there is no self-test run ${params.id} (schoolgate selftest --history lists them)`);
      return run;
    },
  });
  control.register<RecordExternalParams>('selftest.record-external', {
    params: RecordExternalParams,
    handle: (params, caller): ExternalTest => {
      if (!deps.config.current.networks.some((n) => n.id === params.network)) {
        throw new ControlFailure('unknown-network', `there is no network "${params.network}" (networks: ${deps.config.current.networks.map((n) => n.id).join(', ')})`);
      }
      const actor = actorOf(caller);
      try {
        return deps.transaction(() => {
          const recorded = deps.store.recordExternal({ at: deps.now(), network: params.network, result: params.result, note: params.note, recordedBy: actor });
          deps.audit.append({ actor, action: 'selftest.external', subject: params.network, details: { result: recorded.result, note: recorded.note, id: recorded.id } });
          return recorded;
        });
      } catch (error) {
        if (error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
        throw error;
      }
    },
  });
}
