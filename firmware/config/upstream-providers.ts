// The shipped list of filtering resolvers a school may choose for dns.upstreams
// (rules/upstreams/providers.json): data, checked at load, offered by the setup wizard and the
// networks page. Never a default: each needs the school's own account with the provider.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { RULES_DIR } from '../paths.ts';
import { Upstream } from './schema.ts';

export const UpstreamProvider = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9-]{1,64}$' }),
  name: Type.String({ minLength: 1, maxLength: 80 }),
  url: Type.String({ pattern: '^https://', maxLength: 300 }),
  account: Type.String({ minLength: 1, maxLength: 400, description: 'what the school must set up with the provider first' }),
  upstreams: Type.Array(Upstream, { maxItems: 4, description: 'empty when the provider gives each school its own addresses' }),
}, { additionalProperties: false });
export type UpstreamProvider = Static<typeof UpstreamProvider>;

export const UpstreamProviders = Type.Object({
  note: Type.String({ minLength: 1, maxLength: 1000 }),
  providers: Type.Array(UpstreamProvider, { maxItems: 32 }),
}, { additionalProperties: false });
export type UpstreamProviders = Static<typeof UpstreamProviders>;

const check = Compile(UpstreamProviders);

/** Reads and checks the shipped list; throws naming the file when it is not valid. */
export function loadUpstreamProviders(dir: string = RULES_DIR): UpstreamProviders {
  const file = join(dir, 'upstreams', 'providers.json');
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!check.Check(value)) {
    const first = [...check.Errors(value)][0];
    throw new Error(`${file} is not valid: ${first ? `${first.instancePath || '/'} ${first.message}` : 'unknown problem'}`);
  }
  return value;
}
