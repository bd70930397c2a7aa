// The one error the admin API's logic throws: an HTTP status and the ApiError body, so a route
// returns exactly what the rule decided and the UI can put each message beside its field.
import type { ApiError } from '../api/session-schema.ts';

export class AuthError extends Error {
  override name = 'AuthError';
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string> | undefined;

  constructor(status: number, code: string, message: string, fields?: Record<string, string>) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  get body(): ApiError {
    return { error: this.message, code: this.code, ...(this.fields ? { fields: this.fields } : {}) };
  }
}
