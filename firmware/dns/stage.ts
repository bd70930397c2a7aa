// The one shape every pipeline stage has (Blocky's resolver chain, CoreDNS's plugin handler).
// A stage either answers (sets the verdict and reply on the context) or hands the question on.
// Most answer synchronously; a stage that must wait returns a promise of the same result, so the
// synchronous path never touches the microtask queue.
import type { RequestContext } from './context.ts';

export const NEXT = 0;
export const ANSWERED = 1;
export type StageResult = typeof NEXT | typeof ANSWERED;
export type StageStep = StageResult | Promise<StageResult>;

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
