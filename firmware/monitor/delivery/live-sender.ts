// The one AlertDelivery the daemon hands out: it stays the same object while the sender behind it
// is rebuilt on each configuration change (new relay, new secret file), so the alert service
// never holds a sender the configuration has moved on from.
import type { AlertContact } from '../../config/alerts-schema.ts';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../log.ts';
import type { Alert, AlertDelivery, DeliveryOutcome, DeliveryReason } from '../alert-schema.ts';
import { alertsConfigWarnings } from './config-check.ts';
import { AlertSender, type SenderSettings } from './sender.ts';

export class LiveAlertSender implements AlertDelivery {
  readonly #settings: SenderSettings;
  readonly #logger: Logger;
  #current: AlertSender;
  /** Rebuilds run one after another, so the last configuration is the one that stays. */
  #rebuilding: Promise<void> = Promise.resolve();

  private constructor(current: AlertSender, settings: SenderSettings, logger: Logger) {
    this.#current = current;
    this.#settings = settings;
    this.#logger = logger;
  }

  static async start(config: Readonly<Config>, settings: SenderSettings, logger: Logger): Promise<LiveAlertSender> {
    const sender = await AlertSender.fromConfig(config, settings);
    report(sender, config, logger);
    return new LiveAlertSender(sender, settings, logger);
  }

  get current(): AlertSender {
    return this.#current;
  }

  /** Reads the configuration and its secret files again; resolves when the new sender is in place. */
  rebuild(config: Readonly<Config>): Promise<void> {
    this.#rebuilding = this.#rebuilding.catch(() => undefined).then(async () => {
      const next = await AlertSender.fromConfig(config, this.#settings);
      const previous = this.#current;
      this.#current = next;
      previous.close();
      report(next, config, this.#logger);
    });
    return this.#rebuilding;
  }

  /** After any rebuild under way: an alert raised just after a change goes by the new settings. */
  async deliver(alert: Alert, recipients: readonly AlertContact[], why: DeliveryReason): Promise<DeliveryOutcome[]> {
    await this.#rebuilding.catch(() => undefined);
    return this.#current.deliver(alert, recipients, why);
  }

  close(): void {
    this.#current.close();
  }
}

function report(sender: AlertSender, config: Readonly<Config>, logger: Logger): void {
  const { email, webhook, problems } = sender.channels;
  for (const problem of problems) logger.error({ problem }, 'alert delivery: a channel cannot send');
  for (const warning of alertsConfigWarnings(config.alerts)) logger.warn({ path: warning.path }, `alert delivery: ${warning.message}`);
  logger.info({ email, webhook }, 'alert delivery set up');
}
