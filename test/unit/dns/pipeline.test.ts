import { describe, expect, it } from 'vitest';
import { answer, RequestContext } from '../../../firmware/dns/context.ts';
import { Pipeline } from '../../../firmware/dns/pipeline.ts';
import { ANSWERED, NEXT, type Stage, type StageStep } from '../../../firmware/dns/stage.ts';
import { readQuery } from '../../../firmware/dns/wire.ts';
import { query } from './packets.ts';

function context(): RequestContext {
  const ctx = new RequestContext();
  ctx.packet = query('example.com');
  readQuery(ctx.packet, ctx.query);
  return ctx;
}

class Trace implements Stage {
  readonly name: string;
  readonly #log: string[];
  readonly #step: (ctx: RequestContext) => StageStep;

  constructor(name: string, log: string[], step: (ctx: RequestContext) => StageStep) {
    this.name = name;
    this.#log = log;
    this.#step = step;
  }

  query(ctx: RequestContext): StageStep {
    this.#log.push(`query ${this.name}`);
    return this.#step(ctx);
  }

  answered(ctx: RequestContext): void {
    this.#log.push(`answered ${this.name} ${ctx.verdict}`);
  }
}

describe('Pipeline', () => {
  it('runs stages in order until one answers, synchronously, then unwinds the earlier ones', () => {
    const log: string[] = [];
    const p = new Pipeline([
      new Trace('a', log, () => NEXT),
      new Trace('b', log, () => NEXT),
      new Trace('c', log, (ctx) => { answer(ctx, 'refused', 5); return ANSWERED; }),
      new Trace('d', log, () => NEXT),
    ]);
    const ctx = context();
    expect(p.run(ctx)).toBeUndefined();
    expect(ctx.verdict).toBe('refused');
    expect(log).toEqual(['query a', 'query b', 'query c', 'answered b refused', 'answered a refused']);
  });

  it('continues after an async stage that hands on, and resolves with the context', async () => {
    const log: string[] = [];
    const p = new Pipeline([
      new Trace('a', log, () => Promise.resolve(NEXT)),
      new Trace('b', log, (ctx) => Promise.resolve().then(() => { answer(ctx, 'servfail', 2); return ANSWERED; })),
    ]);
    const ctx = context();
    const pending = p.run(ctx);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBe(ctx);
    expect(log).toEqual(['query a', 'query b', 'answered a servfail']);
  });

  it('throws when no stage answers (a wiring bug, caught by the handler)', () => {
    expect(() => new Pipeline([{ name: 'x', query: () => NEXT }]).run(context())).toThrow(/no stage answered/);
  });
});
