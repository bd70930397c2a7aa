// The one shape every pipeline stage has (Blocky's resolver chain, CoreDNS's plugin handler).
// A stage either answers (sets the verdict and reply on the context) or hands the question on.
// Most answer at once. A stage that must wait (for an upstream) returns WAIT and later calls
// ctx.resume() exactly once, with what it would have returned: no promise, closure or microtask
// per question on the way (the forwarded half of the traffic is where that adds up).
import type { RequestContext } from './context.ts';

export const NEXT = 0;
export const ANSWERED = 1;
export const WAIT = 2;
export type StageResult = typeof NEXT | typeof ANSWERED;
export type StageStep = StageResult | typeof WAIT;

export interface Stage {
  /** For logs and for finding the stage's file: `stages/<name>.ts`. */
  readonly name: string;
  query(ctx: RequestContext): StageStep;
  /**
   * Sees the reply a later stage produced, in reverse order, before it is sent: where a cache
   * stores and answer inspection re-checks. May replace ctx.reply/verdict/rcode.
   */
  answered?(ctx: RequestContext): void;
}
