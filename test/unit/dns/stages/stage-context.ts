// What the per-stage tests share: a RequestContext made from real query bytes and a real client
// lookup, the lists+policy a stage decides with (files compiled by the real compileLists), and a
// stage's query() run the way the pipeline runs it, with WAIT followed to its resume().
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientDirectory } from '../../../../firmware/clients/directory.ts';
import { CATEGORY_SEVERITY } from '../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../firmware/config/schema.ts';
import { RequestContext } from '../../../../firmware/dns/query/context.ts';
import { WAIT, type Stage, type StageResult, type StageStep } from '../../../../firmware/dns/query/stage.ts';
import { FilterState } from '../../../../firmware/dns/policy/filter-state.ts';
import { SafeSearch } from '../../../../firmware/dns/policy/safe-search-map.ts';
import { QType } from '../../../../firmware/dns/wire/constants.ts';
import { readQuery, ReadOutcome } from '../../../../firmware/dns/wire/question-reader.ts';
import { RULES_DIR } from '../../../../firmware/paths.ts';
import { compileLists } from '../../../../firmware/rules/load-lists.ts';
import { baseConfig, PUPIL, writeLists, type ListSpec } from '../filtering/harness.ts';
import { query } from '../packets.ts';

export interface ContextOptions {
  qtype?: number;
  /** The asking device's address (a pupil's unless given); its network comes from `config`. */
  from?: string;
  id?: number;
  config?: Config;
}

/** A question as the handler hands it to the pipeline: bytes read by the real reader, client looked up. */
export function contextFor(name: string, options: ContextOptions = {}): RequestContext {
  const config = options.config ?? baseConfig(53);
  const ctx = new RequestContext();
  ctx.packet = query(name, options.qtype ?? QType.A, { h: { id: options.id ?? 0x1234 } });
  if (readQuery(ctx.packet, ctx.query) !== ReadOutcome.ok) throw new Error(`the reader refused the question for ${name}`);
  ctx.source = options.from ?? PUPIL;
  ctx.client = new ClientDirectory(config.networks).lookup(ctx.source);
  return ctx;
}

/** `lists` written to files and compiled into the FilterState the DNS service would build from `config`. */
export async function filterStateFor(config: Config, lists: readonly ListSpec[]): Promise<FilterState> {
  const dir = await mkdtemp(join(tmpdir(), 'schoolgate-stage-'));
  try {
    await writeLists(dir, lists);
    const compiled = await compileLists(config, { listsDir: dir, seed: 0x5eed });
    const safeSearch = SafeSearch.load(readFileSync(join(RULES_DIR, 'safe-search', 'google-domains.txt'), 'utf8'));
    return new FilterState(config, compiled.matcher, compiled.listIds, { safeSearch, severity: CATEGORY_SEVERITY }, compiled.extras);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Run {
  step: StageStep;
  /** For WAIT: what the stage resumed with (rejects if it failed instead). Undefined otherwise. */
  resumed: Promise<StageResult> | undefined;
}

/** `stage.query(ctx)` as the pipeline calls it, standing in for the pipeline a WAIT resumes into. */
export function runQuery(stage: Stage, ctx: RequestContext): Run {
  let resolveResumed!: (result: StageResult) => void;
  let rejectResumed!: (error: unknown) => void;
  const resumed = new Promise<StageResult>((resolve, reject) => {
    resolveResumed = resolve;
    rejectResumed = reject;
  });
  ctx.hooks = { answered: () => undefined, failed: (_ctx, error) => rejectResumed(error) };
  const step = stage.query(ctx);
  if (step !== WAIT) return { step, resumed: undefined };
  ctx.waitingIn = { resume: (_ctx, result) => resolveResumed(result) };
  ctx.waitingAt = 0;
  return { step, resumed };
}
