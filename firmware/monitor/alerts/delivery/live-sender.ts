// The one AlertDelivery the daemon hands out: it stays the same object while the sender behind it
// is rebuilt on each configuration change (new relay, new secret file), so the alert service
// never holds a sender the configuration has moved on from.
import type { AlertContact } from '../../../config/alerts-schema.ts';
import type { Config } from '../../../config/schema.ts';
import type { Logger } from '../../../log.ts';
import type { Alert, AlertDelivery, DeliveryOutcome, DeliveryReason } from '../alert-schema.ts';
import { alertsConfigWarnings } from './config-check.ts';
import type { EmailMessage } from './message.ts';
import { AlertSender, type SenderSettings } from './sender.ts';

export class LiveAlertSender implements AlertDelivery {
  readonly #settings: SenderSettings;
  readonly #logger: Logger;
  #current: AlertSender | undefined;
  /** Builds run one after another, so the last configuration is the one that stays. */
  #building: Promise<void> = Promise.resolve();

  private constructor(settings: SenderSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
  }

  /**
   * Starts the first build and returns at once: with e-mail configured it loads nodemailer
   * (~0.3 s of modules), which need not hold up the rest of the daemon's start.
   */
  static start(config: Readonly<Config>, settings: SenderSettings, logger: Logger): LiveAlertSender {
    const live = new LiveAlertSender(settings, logger);
    live.rebuild(config).catch((err: Error) => logger.error({ err }, 'alert delivery could not be set up'));
    return live;
  }

  /** The sender in use once the builds under way are done; undefined if none could be built. */
  async settled(): Promise<AlertSender | undefined> {
    await this.#building.catch(() => undefined);
    return this.#current;
  }

  /** Reads the configuration and its secret files again; resolves when the new sender is in place. */
  rebuild(config: Readonly<Config>): Promise<void> {
    this.#building = this.#building.catch(() => undefined).then(async () => {
      const next = await AlertSender.fromConfig(config, this.#settings);
      const previous = this.#current;
      this.#current = next;
      previous?.close();
      report(next, config, this.#logger);
    });
    return this.#building;
  }

  /** After any build under way: an alert raised just after a change goes by the new settings. */
  async deliver(alert: Alert, recipients: readonly AlertContact[], why: DeliveryReason): Promise<DeliveryOutcome[]> {
    const sender = await this.settled();
    if (sender === undefined) throw new Error('alert delivery could not be set up (see the log)');
    return sender.deliver(alert, recipients, why);
  }

  /** AlertSender.sendMessage, after any build under way. */
  async sendMessage(recipients: readonly AlertContact[], message: (contact: AlertContact) => EmailMessage, headers: Record<string, string>): Promise<DeliveryOutcome[]> {
    const sender = await this.settled();
    if (sender === undefined) throw new Error('alert delivery could not be set up (see the log)');
    return sender.sendMessage(recipients, message, headers);
  }

  async close(): Promise<void> {
    (await this.settled())?.close();
  }
}

function report(sender: AlertSender, config: Readonly<Config>, logger: Logger): void {
  const { email, webhook, problems } = sender.channels;
  for (const problem of problems) logger.error({ problem }, 'alert delivery: a channel cannot send');
  for (const warning of alertsConfigWarnings(config.alerts)) logger.warn({ path: warning.path }, `alert delivery: ${warning.message}`);
  logger.info({ email, webhook }, 'alert delivery set up');
}
