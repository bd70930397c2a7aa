// The API client: every request same-origin with the session cookie, the session's CSRF token in
// the x-csrf-token header of every request that changes something, and every failure turned into
// an ApiRequestError carrying the server's words and its message per form field.
import type { ApiError } from '../../firmware/admin/api/session-schema.ts';

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  /** A message per form field, keyed by the field's JSON path without a leading slash ("accounts/1/password"). */
  readonly fields: Record<string, string>;
  constructor(status: number, body: ApiError) {
    super(body.error);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = body.code;
    this.fields = Object.fromEntries(Object.entries(body.fields ?? {}).map(([k, v]) => [k.replace(/^\/+/, ''), v]));
  }
}

/** Status 0: the request never got an answer (the gateway restarting, the Wi-Fi dropped). */
export const UNREACHABLE = 0;

function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.error === 'string'
    && (v.code === undefined || typeof v.code === 'string')
    && (v.fields === undefined || (typeof v.fields === 'object' && v.fields !== null && Object.values(v.fields).every((m) => typeof m === 'string')));
}

/** Words for an answer that is not an ApiError (a proxy's page, fastify's own 404). */
function fallbackError(status: number): ApiError {
  if (status === 401) return { error: 'Please sign in.', code: 'unauthorised' };
  if (status === 403) return { error: 'Your account is not allowed to do this.', code: 'forbidden' };
  if (status === 404) return { error: 'The gateway does not offer this (yet).', code: 'not-found' };
  if (status === 429) return { error: 'Too many tries: wait a minute and try again.', code: 'rate-limited' };
  return { error: `The gateway could not do this (HTTP ${status}).` };
}

export interface ApiClientOptions {
  /** Where the API is: '' in the browser (same origin), a loopback URL in tests. */
  base?: string;
  fetch?: typeof fetch;
  /** Called on a 401 from anything but signing in: the session ended (idle or absolute timeout). */
  onSessionEnded?: () => void;
}

export class ApiClient {
  private csrfToken: string | null = null;
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly onSessionEnded: (() => void) | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.base = options.base ?? '';
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.onSessionEnded = options.onSessionEnded;
  }

  /** The token of the current session (from SessionView.csrfToken); null once signed out. */
  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** Sends a file as it is (application/octet-stream): a release to check, never parsed here. */
  postFile<T>(path: string, file: Blob): Promise<T> {
    return this.request<T>('POST', path, file);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const raw = body instanceof Blob;
    if (body !== undefined) headers['content-type'] = raw ? 'application/octet-stream' : 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && this.csrfToken !== null) headers['x-csrf-token'] = this.csrfToken;
    let response: Response;
    try {
      response = await this.doFetch(`${this.base}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? null : raw ? body : JSON.stringify(body),
      });
    } catch {
      throw new ApiRequestError(UNREACHABLE, { error: 'The gateway did not answer: check the connection and try again.', code: 'unreachable' });
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (response.ok) return parsed as T;
    const error = new ApiRequestError(response.status, isApiError(parsed) ? parsed : fallbackError(response.status));
    // Signing in answers 401 for a wrong password or a missing code: that is not a lost session.
    if (response.status === 401 && !(method === 'POST' && path === '/api/session')) this.onSessionEnded?.();
    throw error;
  }
}
