// Prometheus scraping from elsewhere than the gateway itself: /metrics answers loopback without a
// session, and anyone else signed in with health.view; a trust's Prometheus, which cannot sign in,
// presents this token instead (Authorization: Bearer, Prometheus's credentials_file).
import { Type, type Static } from 'typebox';
import { SecretFile } from './alerts-schema.ts';

export const MetricsSettings = Type.Object({
  tokenFile: SecretFile,
}, { additionalProperties: false, description: 'tokenFile holds the token a scraper sends as "Authorization: Bearer TOKEN" (at least 32 characters: openssl rand -hex 32, mode 600); it opens GET /metrics and nothing else' });
export type MetricsSettings = Static<typeof MetricsSettings>;
