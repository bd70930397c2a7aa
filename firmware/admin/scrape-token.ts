// The token a trust's Prometheus presents for GET /metrics (metrics.tokenFile): read like every
// other secret (secret-file.ts: mode 600, one line), again on each configuration change, and
// compared in constant time. It opens /metrics and nothing else: no page, no change.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { readSecretFile } from '../monitor/alerts/delivery/secret-file.ts';

/** A token short enough to guess is no token: `openssl rand -hex 32` gives 64 characters. */
export const MIN_TOKEN_LENGTH = 32;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Whether an Authorization header carries this token ("Bearer TOKEN"); never, without a token. */
export function bearerMatches(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined || authorization === undefined) return false;
  const m = /^Bearer +(\S+) *$/i.exec(authorization);
  if (!m) return false;
  // Digests of equal length, so neither the comparison nor its failure tells the token's length.
  return timingSafeEqual(digest(m[1]!), digest(token));
}

/** The token in the file the configuration names, or why there is none. */
export async function readScrapeToken(config: Readonly<Config>, dataDir: string): Promise<string | undefined> {
  const file = config.metrics?.tokenFile;
  if (file === undefined) return undefined;
  const token = await readSecretFile(file, dataDir, 'metrics token (metrics.tokenFile)');
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`the metrics token is ${token.length} characters; it needs at least ${MIN_TOKEN_LENGTH} (openssl rand -hex 32)`);
  return token;
}

/** Follows the configuration: the check the admin app asks on each /metrics request. */
export async function startScrapeToken(o: {
  config: { readonly current: Readonly<Config>; onChange(listener: (next: Readonly<Config>) => void): unknown };
  dataDir: string; logger: Logger;
}): Promise<(authorization: string | undefined) => boolean> {
  let token: string | undefined;
  const load = async (config: Readonly<Config>): Promise<void> => {
    try {
      token = await readScrapeToken(config, o.dataDir);
    } catch (err) {
      // Refused, not kept: a token file made unsafe must stop opening /metrics.
      token = undefined;
      o.logger.error({ reason: (err as Error).message }, '/metrics: the scrape token cannot be used; only loopback and signed-in staff can read the metrics');
    }
  };
  await load(o.config.current);
  o.config.onChange((next) => { load(next).catch(() => undefined); });
  return (authorization) => bearerMatches(authorization, token);
}
