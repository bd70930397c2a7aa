// The registration desk's refusal of an account that may not act on a visitor (the API's 403).
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}
