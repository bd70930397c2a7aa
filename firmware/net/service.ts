// Network enforcement as the daemon runs it: applies the rendered ruleset at start (when the
// configuration asks) and again on every configuration change, and remembers the outcome for
// `status` and `net show`. While enforcement is on it renews the guest networks' heartbeat
// (heartbeat.ts) every firewall.heartbeatSeconds, through the same queue as everything else;
// stopping (or dying) simply stops renewing it, so guests become portal-only three beats later
// while the rest of the table stays in force. A restart within those beats goes unnoticed.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { applyRuleset, listTable, NftError, removeTable, type NftRun } from './apply.ts';
import { heartbeatLines } from './heartbeat.ts';
import { rulesetInputOf } from './ruleset-input.ts';
import { heartbeatSeconds, renderRuleset, TABLE_FAMILY, TABLE_NAME } from './ruleset.ts';
import type { FirewallStatus } from './status-schema.ts';

/** Calls `tick` every `ms` until the returned function is called. */
export type Every = (ms: number, tick: () => void) => () => void;

const everyInterval: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  // The daemon's servers keep it alive; the heartbeat alone must not.
  timer.unref();
  return () => clearInterval(timer);
};

export class FirewallService {
  private readonly run: NftRun;
  private readonly logger: Logger;
  private readonly every: Every;
  private cancelHeartbeat: (() => void) | undefined;
  private beating = false;
  /** Set by stop(): an apply still under way must not start the heartbeat again. */
  private stopped = false;
  private state: FirewallStatus = { enabled: false, appliedAt: null, applyMs: null, error: null };
  /** Serialises applies: two quick config changes must land in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: { run: NftRun; logger: Logger; every?: Every }) {
    this.run = options.run;
    this.logger = options.logger;
    this.every = options.every ?? everyInterval;
  }

  /** Stops renewing the heartbeat (the daemon's shutdown). The table, and each entry until it lapses, stay. */
  stop(): void {
    this.stopped = true;
    this.stopHeartbeat();
  }

  private stopHeartbeat(): void {
    this.cancelHeartbeat?.();
    this.cancelHeartbeat = undefined;
  }

  /** Applies (or, when switched off after being on, removes) the ruleset; throws on failure. */
  apply(config: Readonly<Config>): Promise<void> {
    const next = this.queue.then(() => this.applyNow(config));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs `add element` / `delete element` lines as one nft transaction, in the same queue as
   * applies: an element added while an apply is listing the sets would otherwise be lost.
   * False (and nothing run) while the firewall is off: the caller's record stays the truth, and
   * the next apply that switches it on loads it again.
   */
  changeElements(lines: readonly string[]): Promise<boolean> {
    const next = this.queue.then(async () => {
      if (!this.state.enabled || lines.length === 0) return false;
      const result = await this.run(['-f', '-'], `${lines.join('\n')}\n`);
      if (result.code !== 0) throw new NftError('changing set elements', result);
      return true;
    });
    this.queue = next.then(() => undefined, () => undefined);
    return next;
  }

  stats(): FirewallStatus {
    return { ...this.state };
  }

  inForce(): Promise<string | undefined> {
    return listTable(this.run);
  }

  /** The table in force as `nft -j` gives it (the live sets' elements with it). */
  async inForceJson(): Promise<unknown> {
    const result = await this.run(['-j', 'list', 'table', TABLE_FAMILY, TABLE_NAME]);
    if (result.code !== 0) throw new NftError('listing the ruleset', result);
    return JSON.parse(result.stdout) as unknown;
  }

  private async applyNow(config: Readonly<Config>): Promise<void> {
    const firewall = config.firewall;
    if (!firewall?.enabled) {
      this.stopHeartbeat();
      if (this.state.enabled) {
        await removeTable(this.run);
        this.logger.warn('firewall switched off in the configuration: Schoolgate\'s nftables table removed');
      }
      this.state = { enabled: false, appliedAt: null, applyMs: null, error: null };
      return;
    }
    try {
      const input = rulesetInputOf(config);
      const beat = heartbeatLines(input);
      // The new table starts with the heartbeat in it: guests are never cut off by an apply.
      const text = renderRuleset(input) + (beat.length > 0 ? `${beat.join('\n')}\n` : '');
      const { ms, preserved } = await applyRuleset(this.run, text);
      this.state = { enabled: true, appliedAt: new Date().toISOString(), applyMs: Math.round(ms * 10) / 10, error: null };
      this.logger.info({ ms: this.state.applyMs, setsCarriedOver: preserved }, 'nftables ruleset applied');
      this.startHeartbeat(heartbeatSeconds(firewall), beat);
    } catch (err) {
      this.state = { ...this.state, enabled: true, error: (err as Error).message };
      throw err;
    }
  }

  private startHeartbeat(seconds: number, lines: readonly string[]): void {
    this.stopHeartbeat();
    if (lines.length === 0 || this.stopped) return;
    this.cancelHeartbeat = this.every(seconds * 1000, () => {
      // A renewal still waiting in the queue (a slow apply) makes the next one pointless.
      if (this.beating) return;
      this.beating = true;
      this.changeElements(lines)
        .catch((err: Error) => this.logger.warn({ err }, 'could not renew the guest networks\' heartbeat: guests lose the internet if this goes on'))
        .finally(() => { this.beating = false; });
    });
  }
}
