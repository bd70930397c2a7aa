// The control methods behind `schoolgate annual …`, `schoolgate selftest external add` and the
// Annual review page (called in-process as the signed-in account): open a year's review, add its
// participants and their sign-offs, record an external filter test (each audited in the same
// transaction as its record), read the reviews, the next review date, the data-processing
// statement, and render the pack.
import { performance } from 'node:perf_hooks';
import type { AuditLog } from '../../control/audit.ts';
import { actorOf } from '../../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../../control/server.ts';
import { schoolYearDays } from '../../state/annual-reviews.ts';
import type { StateDatabase } from '../../state/database.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import { AddExternalParams, type ExternalTest } from '../selftest/selftest-schema.ts';
import {
  AddParticipantParams, OpenReviewParams, SignOffParams, YearParams,
  type AnnualReview, type AnnualReviewList, type DataStatement, type PackResult, type Participant, type SignOff,
} from './annual-schema.ts';
import { renderAnnualPack } from './annual-pack.ts';
import { dataStatement } from './data-statement.ts';
import { gatherPackSources, packPeriod, type PackSourceDeps } from './pack-sources.ts';

export interface AnnualMethodDeps extends PackSourceDeps {
  state: PackSourceDeps['state'] & Pick<StateDatabase, 'transaction'> & { audit: Pick<AuditLog, 'append' | 'export' | 'verify'> };
}

/** Store errors become the control failures the CLI and the pages show beside the field. */
function failures<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
    if (error instanceof NotFoundError) throw new ControlFailure('not-found', error.message);
    throw error;
  }
}

export function registerAnnualMethods(control: Pick<ControlServer, 'register'>, deps: AnnualMethodDeps): void {
  const { state } = deps;
  const audited = <T>(actor: string, action: string, subject: string, write: () => T, details: (result: T) => unknown): T => failures(() => state.transaction(() => {
    const result = write();
    state.audit.append({ actor, action, subject, details: details(result) });
    return result;
  }));

  control.register('annual.list', {
    handle: (): AnnualReviewList => ({ reviews: state.annualReviews.list(), nextReview: state.annualReviews.nextReview()?.nextReview ?? null }),
  });
  control.register('annual.next-review', { handle: () => state.annualReviews.nextReview() });
  control.register<OpenReviewParams>('annual.open', {
    params: OpenReviewParams,
    handle: (params, caller): AnnualReview => audited(actorOf(caller), 'annual.open', params.year,
      () => state.annualReviews.open(params, actorOf(caller), deps.now()), (r) => ({ starts: r.starts, ends: r.ends, nextReview: r.nextReview })),
  });
  control.register<AddParticipantParams>('annual.participant', {
    params: AddParticipantParams,
    handle: (params, caller): Participant => audited(actorOf(caller), 'annual.participant', params.year,
      () => state.annualReviews.addParticipant(params, actorOf(caller), deps.now()), (p) => ({ id: p.id, name: p.name, role: p.role })),
  });
  control.register<SignOffParams>('annual.sign-off', {
    params: SignOffParams,
    handle: (params, caller): SignOff => audited(actorOf(caller), 'annual.sign-off', params.year,
      () => state.annualReviews.signOff(params, actorOf(caller), deps.now()), (s) => ({ id: s.id, participant: params.participant, signedOn: s.signedOn })),
  });
  control.register<AddExternalParams>('selftest.external.add', {
    params: AddExternalParams,
    handle: (params, caller): ExternalTest => {
      const networks = deps.config().networks;
      if (!networks.some((n) => n.id === params.network)) {
        throw new ControlFailure('unknown-network', `there is no network "${params.network}" (networks: ${networks.map((n) => n.id).join(', ')})`);
      }
      return audited(actorOf(caller), 'selftest.external', params.network, () => state.selftest.addExternal(params, actorOf(caller), deps.now()),
        (e) => ({ id: e.id, result: e.result, testedOn: e.testedOn, tool: e.tool, tester: e.tester }));
    },
  });
  control.register('annual.statement', {
    handle: (): DataStatement => dataStatement(deps.config(), deps.now(), { ...(deps.exportProtection ? { exports: deps.exportProtection } : {}), ...(deps.dataDir ? { dataDir: deps.dataDir } : {}) }),
  });
  control.register<YearParams>('annual.pack', {
    params: YearParams,
    handle: (params, caller): PackResult => failures(() => {
      schoolYearDays(params.year);
      const period = packPeriod(params.year, state.annualReviews.get(params.year), deps.config().site.timezone);
      const sources = gatherPackSources(deps, period, actorOf(caller));
      const started = performance.now();
      const html = renderAnnualPack(sources, period);
      return { year: params.year, html, ms: Math.round((performance.now() - started) * 10) / 10 };
    }),
  });
}
