// Network enforcement as the daemon runs it: applies the rendered ruleset at start (when the
// configuration asks) and again on every configuration change, and remembers the outcome for
// `status` and `net show`.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { applyRuleset, listTable, NftError, removeTable, type NftRun } from './apply.ts';
import { rulesetInputOf } from './ruleset-input.ts';
import { renderRuleset, TABLE_FAMILY, TABLE_NAME } from './ruleset.ts';
import type { FirewallStatus } from './status-schema.ts';

export class FirewallService {
  private readonly run: NftRun;
  private readonly logger: Logger;
  private state: FirewallStatus = { enabled: false, appliedAt: null, applyMs: null, error: null };
  /** Serialises applies: two quick config changes must land in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: { run: NftRun; logger: Logger }) {
    this.run = options.run;
    this.logger = options.logger;
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
      if (this.state.enabled) {
        await removeTable(this.run);
        this.logger.warn('firewall switched off in the configuration: Schoolgate\'s nftables table removed');
      }
      this.state = { enabled: false, appliedAt: null, applyMs: null, error: null };
      return;
    }
    try {
      const { ms, preserved } = await applyRuleset(this.run, renderRuleset(rulesetInputOf(config)));
      this.state = { enabled: true, appliedAt: new Date().toISOString(), applyMs: Math.round(ms * 10) / 10, error: null };
      this.logger.info({ ms: this.state.applyMs, setsCarriedOver: preserved }, 'nftables ruleset applied');
    } catch (err) {
      this.state = { ...this.state, enabled: true, error: (err as Error).message };
      throw err;
    }
  }
}
