// The AlertDelivery the alert service hands its alerts to: e-mail to the contacts it names and the
// webhook, both built from the configuration (and the secret files) each time it changes. A
// channel that cannot be built (a password file anyone can read) does not stop the daemon: every
// delivery on it reports the reason as a failed outcome, which the caller logs and shows.
import type { AlertContact } from '../../../config/alerts-schema.ts';
import type { Config } from '../../../config/schema.ts';
import type { Alert, AlertDelivery, DeliveryOutcome, DeliveryReason } from '../alert-schema.ts';
import { EmailChannel, type SmtpTimeouts } from './email.ts';
import { alertEmail, webhookPayload, type EmailMessage, type MessageContext } from './message.ts';
import { NO_RETRY, type RetryPolicy } from './retry.ts';
import { readSecretFile } from './secret-file.ts';
import { WebhookChannel } from './webhook.ts';

export interface SenderSettings {
  dataDir: string;
  retry?: RetryPolicy;
  smtpTimeouts?: SmtpTimeouts;
  webhookTimeoutMs?: number;
  /** Certificates to trust besides the system's (a test's throwaway servers). */
  ca?: string;
  now?: () => Date;
}

type Channel<C> = { channel: C } | { problem: string };

/** How long a critical alert waits before the next contact hears of it, when not configured. */
export const DEFAULT_ESCALATE_AFTER_MINUTES = 30;

export function messageContextOf(config: Readonly<Config>): MessageContext {
  return {
    site: config.site.name,
    timezone: config.site.timezone,
    networks: config.networks.map((n) => ({ id: n.id, name: n.name })),
    escalateAfterMinutes: config.alerts?.escalateAfterMinutes ?? DEFAULT_ESCALATE_AFTER_MINUTES,
  };
}

async function emailChannel(config: Readonly<Config>, settings: SenderSettings): Promise<Channel<EmailChannel> | undefined> {
  const email = config.alerts?.email;
  if (!email) return undefined;
  try {
    const password = email.passwordFile === undefined ? undefined : await readSecretFile(email.passwordFile, settings.dataDir, 'SMTP password (alerts.email.passwordFile)');
    return {
      channel: await EmailChannel.create({
        email, password,
        ...(settings.smtpTimeouts ? { timeouts: settings.smtpTimeouts } : {}),
        ...(settings.retry ? { retry: settings.retry } : {}),
        ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
      }),
    };
  } catch (err) {
    return { problem: `e-mail is not set up: ${(err as Error).message}` };
  }
}

async function webhookChannel(config: Readonly<Config>, settings: SenderSettings): Promise<Channel<WebhookChannel> | undefined> {
  const webhook = config.alerts?.webhook;
  if (!webhook) return undefined;
  try {
    const secret = await readSecretFile(webhook.secretFile, settings.dataDir, 'webhook secret (alerts.webhook.secretFile)');
    return {
      channel: new WebhookChannel({
        url: webhook.url, secret,
        ...(settings.webhookTimeoutMs !== undefined ? { timeoutMs: settings.webhookTimeoutMs } : {}),
        ...(settings.retry ? { retry: settings.retry } : {}),
        ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
        ...(settings.now ? { now: settings.now } : {}),
      }),
    };
  } catch (err) {
    return { problem: `the webhook is not set up: ${(err as Error).message}` };
  }
}

const hostOf = (url: string): string => URL.parse(url)?.host ?? url;

export class AlertSender implements AlertDelivery {
  readonly #context: MessageContext;
  readonly #email: Channel<EmailChannel> | undefined;
  readonly #webhook: Channel<WebhookChannel> | undefined;
  readonly #webhookHost: string;

  private constructor(context: MessageContext, email: Channel<EmailChannel> | undefined, webhook: Channel<WebhookChannel> | undefined, webhookHost: string) {
    this.#context = context;
    this.#email = email;
    this.#webhook = webhook;
    this.#webhookHost = webhookHost;
  }

  /** Reads the secret files now: call it again when the configuration changes. */
  static async fromConfig(config: Readonly<Config>, settings: SenderSettings): Promise<AlertSender> {
    const [email, webhook] = await Promise.all([emailChannel(config, settings), webhookChannel(config, settings)]);
    return new AlertSender(messageContextOf(config), email, webhook, hostOf(config.alerts?.webhook?.url ?? ''));
  }

  /** Which channels are configured, and why any of them cannot send. */
  get channels(): { email: boolean; webhook: boolean; problems: string[] } {
    return {
      email: this.#email !== undefined,
      webhook: this.#webhook !== undefined,
      problems: [this.#email, this.#webhook].flatMap((c) => (c !== undefined && 'problem' in c ? [c.problem] : [])),
    };
  }

  /**
   * E-mail to each recipient with an address (one message each), and the webhook once; all at
   * once, so a dead relay does not hold up the webhook. A test is not retried: its caller is
   * waiting to read the first failure.
   */
  async deliver(alert: Alert, recipients: readonly AlertContact[], why: DeliveryReason): Promise<DeliveryOutcome[]> {
    const retry = why === 'test' ? NO_RETRY : undefined;
    const sends: Promise<DeliveryOutcome>[] = [];
    const email = this.#email;
    if (email !== undefined) {
      for (const contact of recipients) {
        if (contact.email === undefined) continue;
        sends.push('problem' in email
          ? Promise.resolve({ channel: 'email', to: contact.name, ok: false, error: email.problem })
          : email.channel.send(contact, alertEmail(alert, contact, why, this.#context), { 'X-Schoolgate-Alert': why === 'test' ? 'test' : String(alert.id) }, retry));
      }
    }
    const webhook = this.#webhook;
    if (webhook !== undefined) {
      sends.push('problem' in webhook
        ? Promise.resolve({ channel: 'webhook', to: this.#webhookHost, ok: false, error: webhook.problem })
        : webhook.channel.send((id, sentAt) => webhookPayload(alert, why, this.#context, id, sentAt), retry));
    }
    return Promise.all(sends);
  }

  /**
   * E-mails a message that is not an alert's own (the weekly review's reminder, its overdue
   * notice to people beyond the contacts) to each recipient with an address; no webhook.
   */
  async sendMessage(recipients: readonly AlertContact[], message: (contact: AlertContact) => EmailMessage, headers: Record<string, string>): Promise<DeliveryOutcome[]> {
    const email = this.#email;
    const to = recipients.filter((c) => c.email !== undefined);
    if (email === undefined) return to.map((c) => ({ channel: 'email', to: c.name, ok: false, error: 'e-mail is not configured (alerts.email)' }));
    if ('problem' in email) return to.map((c) => ({ channel: 'email', to: c.name, ok: false, error: email.problem }));
    return Promise.all(to.map((c) => email.channel.send(c, message(c), headers)));
  }

  close(): void {
    if (this.#email !== undefined && 'channel' in this.#email) this.#email.channel.close();
  }
}
