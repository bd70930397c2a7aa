// Reads the attempt sets every minute (and on `schoolgate net attempts`): each device that tried
// a filter bypass (DoT, a bypass provider's address) or peer-to-peer since its last event gets a
// `net.bypass` / `net.p2p` network event, once per device per hour, with the packets refused.
// The reported elements are then reset through FirewallService's queue, so the next event counts
// only what came after.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { StateDatabase } from '../state/database.ts';
import { NftError, type NftRun } from './apply.ts';
import { ATTEMPT_SETS_BY_KIND, ATTEMPTS_WINDOW_MS, attemptFindings, attemptKey, resetLines, type AttemptFinding, type AttemptKind } from './attempts.ts';
import { PeriodicCheck } from './periodic-check.ts';
import { TABLE_FAMILY, TABLE_NAME } from './ruleset.ts';
import { setCounts } from './set-elements.ts';

export interface AttemptsWatchOptions {
  run: NftRun;
  /** Whether Schoolgate's table is in force (FirewallService.stats().enabled). */
  enabled: () => boolean;
  config: () => Readonly<Config>;
  state: Pick<StateDatabase, 'devices' | 'networkEvents'>;
  /** FirewallService.changeElements: the resets go through the apply queue. */
  change: (lines: readonly string[]) => Promise<boolean>;
  now: () => Date;
  logger: Logger;
}

const KINDS: readonly AttemptKind[] = ['net.bypass', 'net.p2p'];

export class AttemptsWatch {
  readonly #o: AttemptsWatchOptions;
  readonly #periodic: PeriodicCheck<AttemptFinding[]>;

  constructor(options: AttemptsWatchOptions) {
    this.#o = options;
    this.#periodic = new PeriodicCheck('reading the bypass and peer-to-peer attempts', () => this.#checkNow(), options.logger);
  }

  start(periodMs?: number): void {
    this.#periodic.start(periodMs);
  }

  stop(): void {
    this.#periodic.stop();
  }

  /** Every device with attempts counted now, with whether this check recorded an event for it. */
  check(): Promise<AttemptFinding[]> {
    return this.#periodic.check();
  }

  async #checkNow(): Promise<AttemptFinding[]> {
    if (!this.#o.enabled()) return [];
    const { state, logger } = this.#o;
    // One listing of the table for all four sets: one process a minute.
    const result = await this.#o.run(['-j', 'list', 'table', TABLE_FAMILY, TABLE_NAME]);
    if (result.code !== 0) throw new NftError('reading the attempt counts', result);
    const json = JSON.parse(result.stdout) as unknown;
    const now = this.#o.now();
    const config = this.#o.config();
    const findings: AttemptFinding[] = [];
    for (const kind of KINDS) {
      const sets = ATTEMPT_SETS_BY_KIND[kind];
      const elements = [...setCounts(json, sets.v4), ...setCounts(json, sets.v6)];
      if (elements.length === 0) continue;
      const recorded = new Set(state.networkEvents.list({ kind, since: new Date(now.getTime() - ATTEMPTS_WINDOW_MS), limit: 100_000 })
        .map((e) => attemptKey(e.mac ?? '', String(e.details.address ?? ''))));
      findings.push(...attemptFindings({ kind, elements, networks: config.networks, device: (mac) => state.devices.get(mac), recorded }));
    }
    for (const f of findings.filter((x) => x.record)) {
      state.networkEvents.append({ at: now, kind: f.kind, networkId: f.networkId, mac: f.mac, details: { address: f.address, packets: f.packets } });
      logger.warn({ kind: f.kind, mac: f.mac, address: f.address, network: f.networkId, packets: f.packets },
        f.kind === 'net.p2p' ? 'device tried peer-to-peer file sharing' : 'device tried to get round the filter (DNS over TLS or a bypass provider)');
    }
    await this.#o.change(resetLines(findings));
    return findings;
  }
}
