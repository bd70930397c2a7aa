// The alert service on the main thread: every source's candidates come here (the DNS rules from
// the query log's writer thread, network events, failed feeds, a crash restart, the self-test
// through raise()). It de-duplicates and stores them in state.db, hands a new critical alert to
// the first contact at once and, every minute, escalates the critical ones nobody has
// acknowledged to the next contact.
//
// Delivery: a new critical alert → the first contact (and the webhook); a critical alert still
// open after escalateAfterMinutes → the next contact, until the list ends; a new non-critical
// alert → no one by e-mail (it waits for the weekly review) but the webhook hears of it (deliver
// with no recipients), so a school's own system can follow everything. A burst adds to its count
// and is not delivered again.
import type { Alerts } from '../../config/alerts-schema.ts';
import type { Logger } from '../../log.ts';
import type { AlertRepository } from '../../state/alerts.ts';
import type { Alert, AlertCandidate, AlertDelivery, DeliveryReason } from './alert-schema.ts';
import { withGuest } from '../../portal/vouchers/guest-identity.ts';
import { DEFAULT_ESCALATE_AFTER_MINUTES, escalationsDue } from './escalation.ts';

export const DEFAULT_THROTTLE_MINUTES = 15;
const MINUTE_MS = 60_000;

export interface AlertServiceOptions {
  alerts: Pick<AlertRepository, 'record' | 'openCritical' | 'markNotified'>;
  /** E-mail and the webhook (monitor/delivery/); null: alerts are stored and listed only. */
  delivery: AlertDelivery | null;
  /** The configuration's alerts section, read at each use (contacts, throttle, escalation). */
  config: () => Alerts | undefined;
  now: () => Date;
  logger: Logger;
  /**
   * Runs raiseAll's candidates in one state.db transaction (StateDatabase.transaction): one commit
   * for a batch instead of one per candidate (measured: ~200 µs a candidate committed alone, ~50
   * in a batch's transaction, on the thread that answers DNS).
   */
  transaction?: <T>(fn: () => T) => T;
  /**
   * The visitor and sponsor behind a guest device at a moment (portal/vouchers/guest-identity.ts):
   * an alert for a guest device names them in its reason and details, as the records must.
   */
  guestOf?: (mac: string, networkId: string | null, at: number) => string | undefined;
  /**
   * Told of each new alert once it is stored (not of a burst's repeats), in the same transaction:
   * the incident log opens one for a critical restricted-list alert. It must not throw.
   */
  onCreated?: (alert: Alert) => void;
}

export interface AlertStats {
  raised: number;
  stored: number;
  refused: number;
  deliveries: number;
  deliveryFailures: number;
}

export class AlertService {
  readonly #o: AlertServiceOptions;
  readonly #pending = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #escalating: Promise<number> | undefined;
  readonly #stats: AlertStats = { raised: 0, stored: 0, refused: 0, deliveries: 0, deliveryFailures: 0 };

  constructor(options: AlertServiceOptions) {
    this.#o = options;
  }

  /**
   * Stores a candidate (a new alert, or one more of an open burst) and starts its delivery;
   * returns the stored alert. A candidate that is not a valid alert throws and stores nothing.
   */
  raise(raised: AlertCandidate): { alert: Alert; created: boolean } {
    this.#stats.raised++;
    const candidate = this.#named(raised);
    const throttle = this.#o.config()?.throttleMinutes ?? DEFAULT_THROTTLE_MINUTES;
    const since = new Date(Date.parse(candidate.at) - throttle * MINUTE_MS);
    let result: { alert: Alert; created: boolean };
    try {
      result = this.#o.alerts.record(candidate, Number.isNaN(since.getTime()) ? new Date(0) : since);
    } catch (error) {
      this.#stats.refused++;
      throw error;
    }
    this.#stats.stored++;
    if (result.created) {
      const { alert } = result;
      this.#o.logger[alert.severity === 'critical' ? 'warn' : 'info']({ alert: alert.id, kind: alert.kind, severity: alert.severity, network: alert.networkId, device: alert.mac ?? alert.address }, `alert: ${alert.reason}`);
      if (alert.severity === 'critical') this.#track(this.#send(alert, 0, 'new'));
      else this.#track(this.#deliver(alert, [], 'new').then(() => undefined));
      this.#o.onCreated?.(alert);
    }
    return result;
  }

  #named(candidate: AlertCandidate): AlertCandidate {
    if (candidate.mac === null || !this.#o.guestOf) return candidate;
    const visitor = this.#o.guestOf(candidate.mac, candidate.networkId, Date.parse(candidate.at));
    if (visitor === undefined) return candidate;
    return { ...candidate, reason: withGuest(candidate.reason, visitor), details: { ...candidate.details, visitor } };
  }

  /** Raises each candidate; one that cannot be stored is logged and the rest go on. */
  raiseAll(candidates: readonly AlertCandidate[]): void {
    const all = (): void => {
      for (const candidate of candidates) {
        try {
          this.raise(candidate);
        } catch (error) {
          this.#o.logger.error({ err: error, kind: candidate.kind }, 'alert could not be stored');
        }
      }
    };
    try {
      if (candidates.length > 1 && this.#o.transaction) this.#o.transaction(all);
      else all();
    } catch (error) {
      // The transaction itself failed (a full disk at COMMIT): the batch's alerts are lost, and said so.
      this.#o.logger.error({ err: error, candidates: candidates.length }, 'alerts could not be stored');
    }
  }

  /** Sends every escalation due now; resolves to how many. Runs are never concurrent. */
  escalate(): Promise<number> {
    this.#escalating ??= this.#escalateNow().finally(() => {
      this.#escalating = undefined;
    });
    return this.#escalating;
  }

  async #escalateNow(): Promise<number> {
    const config = this.#o.config();
    const contacts = config?.contacts ?? [];
    if (!this.delivering || contacts.length < 2) return 0;
    const due = escalationsDue(this.#o.alerts.openCritical(), contacts.length, config?.escalateAfterMinutes ?? DEFAULT_ESCALATE_AFTER_MINUTES, this.#o.now());
    for (const { alert, level } of due) await this.#send(alert, level, 'escalation');
    return due.length;
  }

  /** Escalation runs every minute until stop(). */
  start(): void {
    this.#timer = setInterval(() => {
      this.escalate().catch((error: unknown) => this.#o.logger.error({ err: error }, 'alert escalation run failed; it runs again in a minute'));
    }, MINUTE_MS);
    this.#timer.unref();
  }

  /** Resolves once every delivery started so far has settled. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0 || this.#escalating) await Promise.allSettled([...this.#pending, this.#escalating]);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.settled();
  }

  stats(): AlertStats {
    return { ...this.#stats };
  }

  /**
   * Whether alerts are sent anywhere or only stored: a sender, and e-mail or a webhook configured.
   * Without a channel nothing is marked notified, so an alert raised before the school set up
   * e-mail is not taken as already told to its DSL.
   */
  get delivering(): boolean {
    const config = this.#o.config();
    return this.#o.delivery !== null && (config?.email !== undefined || config?.webhook !== undefined);
  }

  /**
   * Sends a critical alert to the contact at `level` and records it (level and time), so the
   * next escalation waits from now. Recorded even when the sending failed: the next contact is
   * then reached on time instead of never.
   */
  async #send(alert: Alert, level: number, why: DeliveryReason): Promise<void> {
    if (!this.delivering) return;
    const contact = this.#o.config()?.contacts[level];
    if (!this.#o.alerts.markNotified(alert.id, level === 0 ? 0 : alert.escalationLevel, level, this.#o.now())) return;
    await this.#deliver({ ...alert, escalationLevel: level }, contact ? [contact] : [], why);
  }

  async #deliver(alert: Alert, recipients: Parameters<AlertDelivery['deliver']>[1], why: DeliveryReason): Promise<void> {
    const delivery = this.#o.delivery;
    if (delivery === null || !this.delivering) return;
    try {
      const outcomes = await delivery.deliver(alert, recipients, why);
      for (const outcome of outcomes) {
        this.#stats.deliveries++;
        if (!outcome.ok) {
          this.#stats.deliveryFailures++;
          this.#o.logger.error({ alert: alert.id, channel: outcome.channel, to: outcome.to, reason: outcome.error }, 'alert delivery failed');
        }
      }
    } catch (error) {
      this.#stats.deliveryFailures++;
      this.#o.logger.error({ err: error, alert: alert.id }, 'alert delivery failed');
    }
  }

  #track(promise: Promise<void>): void {
    const tracked = promise.catch((error: unknown) => this.#o.logger.error({ err: error }, 'alert delivery failed')).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }
}
