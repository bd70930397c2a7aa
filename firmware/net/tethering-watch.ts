// Reads `tethering_suspects` every minute (and on `schoolgate net tethering`), records a network
// event per device per window, and in block mode suspends the device: stored and audited as the
// system, then put in the `suspended` set like a technician's suspension.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { StateDatabase } from '../state/database.ts';
import { NftError, type NftRun } from './apply.ts';
import { PeriodicCheck, SET_CHECK_MS } from './periodic-check.ts';
import { TABLE_FAMILY, TABLE_NAME, TETHERING_WINDOW_MS } from './ruleset.ts';
import { setMembers } from './set-elements.ts';
import type { SuspensionEnforcer } from './suspensions.ts';
import { TETHERING_REASON, tetheringFindings, type TetheringFinding } from './tethering.ts';

export const TETHERING_CHECK_MS = SET_CHECK_MS;

export interface TetheringWatchOptions {
  run: NftRun;
  /** Whether Schoolgate's table is in force (FirewallService.stats().enabled). */
  enabled: () => boolean;
  config: () => Readonly<Config>;
  state: Pick<StateDatabase, 'devices' | 'networkEvents' | 'audit' | 'transaction'>;
  suspensions: SuspensionEnforcer;
  now: () => Date;
  logger: Logger;
}

export class TetheringWatch {
  readonly #o: TetheringWatchOptions;
  readonly #periodic: PeriodicCheck<TetheringFinding[]>;

  constructor(options: TetheringWatchOptions) {
    this.#o = options;
    this.#periodic = new PeriodicCheck('reading the tethering suspects', () => this.#checkNow(), options.logger);
  }

  start(periodMs = TETHERING_CHECK_MS): void {
    this.#periodic.start(periodMs);
  }

  stop(): void {
    this.#periodic.stop();
  }

  /** The suspects now, with what was done about each. */
  check(): Promise<TetheringFinding[]> {
    return this.#periodic.check();
  }

  async #checkNow(): Promise<TetheringFinding[]> {
    if (!this.#o.enabled()) return [];
    const { state, now: clock, logger } = this.#o;
    const result = await this.#o.run(['-j', 'list', 'set', TABLE_FAMILY, TABLE_NAME, 'tethering_suspects']);
    if (result.code !== 0) throw new NftError('reading the tethering suspects', result);
    const suspects = setMembers(JSON.parse(result.stdout) as unknown, 'tethering_suspects');
    if (suspects.length === 0) return [];
    const now = clock();
    const recorded = new Set(state.networkEvents.list({ kind: 'net.tethering', since: new Date(now.getTime() - TETHERING_WINDOW_MS), limit: 100_000 })
      .map((e) => e.mac).filter((m) => m !== null));
    const findings = tetheringFindings({ suspects, device: (mac) => state.devices.get(mac), recorded, config: this.#o.config(), now });
    for (const f of findings) {
      if (f.suspendUntil) {
        state.transaction(() => {
          state.devices.suspend(f.mac, f.suspendUntil!, TETHERING_REASON);
          state.audit.append({ actor: 'system', action: 'device.suspend', subject: f.mac, details: { until: f.suspendUntil!.toISOString(), reason: TETHERING_REASON } });
        });
        await this.#o.suspensions.enforce(f.mac, f.suspendUntil);
        logger.warn({ mac: f.mac, network: f.networkId, until: f.suspendUntil.toISOString() }, 'device suspended for tethering');
      }
      if (f.record) {
        state.networkEvents.append({
          at: now, kind: 'net.tethering', networkId: f.networkId, mac: f.mac,
          details: { mode: f.mode, ...(f.suspendUntil ? { suspendedUntil: f.suspendUntil.toISOString() } : {}) },
        });
        if (!f.suspendUntil) logger.warn({ mac: f.mac, network: f.networkId }, 'device seen tethering (monitor mode: recorded only)');
      }
    }
    return findings;
  }
}
