// Alerts by e-mail: one SMTP transport (nodemailer) from `alerts.email`, one message per contact
// so each gets their own outcome and is told why it is them. nodemailer is loaded when e-mail is
// configured, not with the daemon: most of a start is spent loading modules.
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import type { AlertContact, AlertEmail } from '../../../config/alerts-schema.ts';
import type { DeliveryOutcome } from '../alert-schema.ts';
import type { EmailMessage } from './message.ts';
import { isLoopbackHost } from './loopback.ts';
import { DEFAULT_RETRY, isCertificateError, PermanentError, withRetries, type RetryPolicy } from './retry.ts';

/** Each limit bounds one wait, so a dead or silent server never holds a delivery for long. */
export interface SmtpTimeouts {
  connectMs: number;
  greetingMs: number;
  /** Silence in mid-conversation. */
  idleMs: number;
  /** The whole of one attempt, whatever it is waiting for. */
  attemptMs: number;
}

export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = { connectMs: 10_000, greetingMs: 10_000, idleMs: 20_000, attemptMs: 60_000 };

const DEFAULT_PORT = { tls: 465, starttls: 587, none: 25 } as const;

export interface EmailChannelOptions {
  email: AlertEmail;
  /** From `passwordFile`, read by the caller. */
  password?: string;
  timeouts?: SmtpTimeouts;
  retry?: RetryPolicy;
  /** Certificates to trust besides the system's (a test's throwaway server). */
  ca?: string;
}

/**
 * The transport's options. `none` never upgrades, even when offered (a loopback relay's
 * certificate names no one), and is refused anywhere but loopback; `starttls` fails rather than
 * carry the alert and the password in the clear when the upgrade is not offered.
 */
export function smtpOptions(options: EmailChannelOptions): SMTPTransportOptions {
  const { email, password } = options;
  const timeouts = options.timeouts ?? DEFAULT_SMTP_TIMEOUTS;
  if (email.security === 'none' && !isLoopbackHost(email.host)) {
    throw new Error(`alerts.email.security "none" is only allowed to a loopback host, not ${email.host}`);
  }
  if ((email.username === undefined) !== (password === undefined)) {
    throw new Error('alerts.email needs both username and passwordFile, or neither');
  }
  return {
    host: email.host,
    port: email.port ?? DEFAULT_PORT[email.security],
    secure: email.security === 'tls',
    requireTLS: email.security === 'starttls',
    ignoreTLS: email.security === 'none',
    ...(email.username !== undefined ? { auth: { user: email.username, pass: password } } : {}),
    tls: { minVersion: 'TLSv1.2', ...(options.ca !== undefined ? { ca: options.ca } : {}) },
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.idleMs,
    dnsTimeout: timeouts.connectMs,
    socketCloseTimeout: 0,
    // Nothing the daemon sends is read from a file or a URL: refuse it should any text ask.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

type Mailer = { sendMail(mail: Record<string, unknown>): Promise<unknown>; close(): void };

/**
 * Errors another attempt cannot mend: the relay refused the login or the address for good, or its
 * TLS is not what the configuration demands (no STARTTLS offered, a certificate that fails).
 */
function isPermanent(err: { code?: string; originalCode?: string; responseCode?: number }): boolean {
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH' || err.code === 'ECONFIG' || err.code === 'ETLS') return true;
  // With TLS from the first byte a certificate failure is a socket error; its own code is kept.
  if (isCertificateError(err.originalCode)) return true;
  return err.responseCode !== undefined && err.responseCode >= 500 && err.responseCode < 600;
}

export class EmailChannel {
  readonly #options: EmailChannelOptions;
  readonly #mailer: Mailer;

  private constructor(options: EmailChannelOptions, mailer: Mailer) {
    this.#options = options;
    this.#mailer = mailer;
  }

  static async create(options: EmailChannelOptions): Promise<EmailChannel> {
    const transportOptions = smtpOptions(options);
    const { createTransport } = await import('nodemailer');
    return new EmailChannel(options, createTransport(transportOptions) as unknown as Mailer);
  }

  /** Sends `message` to one contact, retrying; never throws: a failure is an outcome. */
  async send(contact: AlertContact, message: EmailMessage, headers: Record<string, string>, retry?: RetryPolicy): Promise<DeliveryOutcome> {
    if (contact.email === undefined) return { channel: 'email', to: contact.name, ok: false, error: 'this contact has no e-mail address' };
    const timeouts = this.#options.timeouts ?? DEFAULT_SMTP_TIMEOUTS;
    let attempts = 0;
    try {
      await withRetries(retry ?? this.#options.retry ?? DEFAULT_RETRY, async () => {
        attempts++;
        try {
          await this.#mailer.sendMail({
            from: this.#options.email.from,
            to: contact.email,
            subject: message.subject,
            text: message.text,
            headers: { 'Auto-Submitted': 'auto-generated', ...headers },
            signal: AbortSignal.timeout(timeouts.attemptMs),
          });
        } catch (err) {
          if (isPermanent(err as { code?: string })) throw new PermanentError((err as Error).message);
          throw err;
        }
      });
      return { channel: 'email', to: contact.name, ok: true };
    } catch (err) {
      return { channel: 'email', to: contact.name, ok: false, error: `${(err as Error).message} (${attempts} attempt${attempts === 1 ? '' : 's'})` };
    }
  }

  close(): void {
    this.#mailer.close();
  }
}
