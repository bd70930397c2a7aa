// Alerts by webhook: the alert as JSON, POSTed with an HMAC signature (signature.ts) so the
// receiver knows it came from this gateway and is not a replay. Redirects are refused, not
// followed: a signed alert must go where the configuration says and nowhere else.
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { DeliveryOutcome } from '../alert-schema.ts';
import { DEFAULT_RETRY, isCertificateError, PermanentError, withRetries, type RetryPolicy } from './retry.ts';
import { signatureHeader } from './signature.ts';
import { webhookUrlProblem } from './webhook-url.ts';
import type { WebhookPayload } from './webhook-schema.ts';
import { VERSION } from '../../../version.ts';

export interface WebhookChannelOptions {
  url: string;
  secret: string;
  /** The whole of one attempt: connecting, sending and the answer. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Certificates to trust besides the system's (a test's throwaway server). */
  ca?: string;
  now?: () => Date;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** A signing key short enough to guess is no signature: `openssl rand -hex 32` gives 64 characters. */
export const MIN_SECRET_LENGTH = 16;

/** Status codes worth another attempt: the receiver is busy or restarting. */
const retryable = (status: number): boolean => status >= 500 || status === 408 || status === 429;

export class WebhookChannel {
  readonly #options: WebhookChannelOptions;
  readonly #url: URL;
  readonly #now: () => Date;

  constructor(options: WebhookChannelOptions) {
    const problem = webhookUrlProblem(options.url);
    if (problem !== undefined) throw new Error(`alerts.webhook.url: ${problem}`);
    if (options.secret.length < MIN_SECRET_LENGTH) {
      throw new Error(`the webhook secret is ${options.secret.length} characters; it needs at least ${MIN_SECRET_LENGTH} (e.g. openssl rand -hex 32)`);
    }
    this.#options = options;
    this.#url = new URL(options.url);
    this.#now = options.now ?? (() => new Date());
  }

  get host(): string {
    return this.#url.host;
  }

  /**
   * POSTs the payload `build` makes, retrying; never throws. The body (and its delivery id) is the
   * same on every attempt, the signature's timestamp new, so a late retry is not taken for a replay.
   */
  async send(build: (deliveryId: string, sentAt: string) => WebhookPayload, retry?: RetryPolicy): Promise<DeliveryOutcome> {
    const payload = build(randomUUID(), this.#now().toISOString());
    const body = JSON.stringify(payload);
    let attempts = 0;
    try {
      await withRetries(retry ?? this.#options.retry ?? DEFAULT_RETRY, async () => {
        attempts++;
        await this.#post(body, payload);
      });
      return { channel: 'webhook', to: this.host, ok: true };
    } catch (err) {
      return { channel: 'webhook', to: this.host, ok: false, error: `${(err as Error).message} (${attempts} attempt${attempts === 1 ? '' : 's'})` };
    }
  }

  async #post(body: string, payload: WebhookPayload): Promise<void> {
    const timestamp = Math.floor(this.#now().getTime() / 1000);
    const request = this.#url.protocol === 'https:' ? httpsRequest : httpRequest;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(this.#url, {
        method: 'POST',
        // A fresh connection each time: alerts are rare, and a pooled socket would keep the daemon's
        // stop waiting on the receiver.
        agent: false,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS),
        ...(this.#options.ca !== undefined ? { ca: this.#options.ca } : {}),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': `Schoolgate/${VERSION}`,
          'schoolgate-signature': signatureHeader(this.#options.secret, timestamp, body),
          'schoolgate-delivery': payload.deliveryId,
          'schoolgate-event': payload.type,
        },
      }, resolve);
      req.on('error', (err: NodeJS.ErrnoException) => reject(err.name === 'AbortError' || err.name === 'TimeoutError'
        ? new Error(`no answer from ${this.host} within ${(this.#options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS) / 1000} s`)
        : isCertificateError(err.code) ? new PermanentError(`${err.message} (${err.code})`) : err));
      req.end(body);
    });
    const said = await firstBytes(response, 300);
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    const detail = said === '' ? '' : `: ${said}`;
    if (status >= 300 && status < 400) {
      throw new PermanentError(`the webhook answered ${status}, a redirect to ${response.headers.location ?? 'nowhere'}, which is not followed: configure the final URL`);
    }
    const error = `the webhook answered ${status}${detail}`;
    throw retryable(status) ? new Error(error) : new PermanentError(error);
  }
}

/** The start of the answer (a receiver's reason for a refusal), then the rest discarded. */
async function firstBytes(response: IncomingMessage, max: number): Promise<string> {
  let text = '';
  try {
    for await (const chunk of response) {
      if (text.length < max) text += (chunk as Buffer).toString('utf8');
    }
  } catch {
    // A receiver that hangs up after its status line has still answered.
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, max);
}
