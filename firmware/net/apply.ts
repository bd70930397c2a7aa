// Putting the rendered ruleset into the kernel with the real `nft`, and reading back what is in
// force. `nft -f -` runs the whole text as one transaction: it all applies or nothing changes.
import { TABLE_FAMILY, TABLE_NAME } from './ruleset.ts';
import { preservedElements } from './set-elements.ts';
import { toolRunner, type ToolResult } from './tool-run.ts';

export type NftResult = ToolResult;
/** Runs nft with these arguments (and stdin); the daemon's runs `nft` itself, tests one inside a namespace. */
export type NftRun = (args: readonly string[], input?: string) => Promise<NftResult>;

export class NftError extends Error {
  readonly action: string;
  readonly result: NftResult;
  constructor(action: string, result: NftResult) {
    super(`${action} failed (nft exit ${result.code}): ${result.stderr.trim() || result.stdout.trim() || 'no output'}`);
    this.name = 'NftError';
    this.action = action;
    this.result = result;
  }
}

/** `nft` found on PATH, optionally behind a prefix such as `ip netns exec NAME`. */
export function nftRunner(prefix: readonly string[] = []): NftRun {
  const run = toolRunner(prefix);
  return (args, input) => run(['nft', ...args], input);
}

/**
 * Applies `text` (one transaction: all of it or nothing) with the live sets' current elements
 * added back in the same transaction, so a configuration change never signs out a guest or
 * lifts a suspension. An element added between the listing and the apply would be lost: the
 * daemon's own set changes must go through the same queue as applies (FirewallService). Returns how long the apply took and how many sets had elements
 * carried over.
 */
export async function applyRuleset(run: NftRun, text: string): Promise<{ ms: number; preserved: number }> {
  const started = performance.now();
  const preserved = await currentElements(run);
  const full = preserved.length > 0 ? `${text}${preserved.join('\n')}\n` : text;
  const result = await run(['-f', '-'], full);
  if (result.code !== 0) throw new NftError('applying the ruleset', result);
  return { ms: performance.now() - started, preserved: preserved.length };
}

/** Checks a ruleset without applying it (`nft -c`). */
export async function checkRuleset(run: NftRun, text: string): Promise<void> {
  const result = await run(['-c', '-f', '-'], text);
  if (result.code !== 0) throw new NftError('checking the ruleset', result);
}

/** The table as the kernel holds it now (`nft list table inet schoolgate`), or undefined if absent. */
export async function listTable(run: NftRun): Promise<string | undefined> {
  const result = await run(['list', 'table', TABLE_FAMILY, TABLE_NAME]);
  if (result.code === 0) return result.stdout;
  if (/No such file or directory/.test(result.stderr)) return undefined;
  throw new NftError('listing the ruleset', result);
}

/** Removes Schoolgate's table (and only it). */
export async function removeTable(run: NftRun): Promise<void> {
  const result = await run(['-f', '-'], `add table ${TABLE_FAMILY} ${TABLE_NAME}\ndelete table ${TABLE_FAMILY} ${TABLE_NAME}\n`);
  if (result.code !== 0) throw new NftError('removing the ruleset', result);
}

async function currentElements(run: NftRun): Promise<string[]> {
  // One listing of the whole table (sets with their elements): one process, not one per set.
  const result = await run(['-j', 'list', 'table', TABLE_FAMILY, TABLE_NAME]);
  // No table yet (the first apply): nothing to keep.
  if (result.code !== 0) return [];
  return preservedElements(JSON.parse(result.stdout) as unknown);
}
