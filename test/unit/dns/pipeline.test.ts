import { describe, expect, it } from 'vitest';
import { answer, RequestContext } from '../../../firmware/dns/query/context.ts';
import { Pipeline } from '../../../firmware/dns/pipeline.ts';
import { ANSWERED, NEXT, WAIT, type Stage, type StageStep } from '../../../firmware/dns/query/stage.ts';
import { readQuery } from '../../../firmware/dns/wire/question-reader.ts';
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
    expect(p.run(ctx)).toBe(true);
    expect(ctx.verdict).toBe('refused');
    expect(log).toEqual(['query a', 'query b', 'query c', 'answered b refused', 'answered a refused']);
  });

  it('continues after a stage that waited and handed on, and tells the hooks once answered', () => {
    const log: string[] = [];
    const later: Array<() => void> = [];
    const p = new Pipeline([
      new Trace('a', log, (ctx) => { later.push(() => ctx.resume(NEXT)); return WAIT; }),
      new Trace('b', log, (ctx) => { later.push(() => { answer(ctx, 'servfail', 2); ctx.resume(ANSWERED); }); return WAIT; }),
    ]);
    const ctx = context();
    const answered: RequestContext[] = [];
    ctx.hooks = { answered: (c) => answered.push(c), failed: (_, error) => { throw error; } };
    expect(p.run(ctx)).toBe(false);
    expect(log).toEqual(['query a']);
    later.shift()!();
    expect(log).toEqual(['query a', 'query b']);
    expect(answered).toEqual([]);
    later.shift()!();
    expect(answered).toEqual([ctx]);
    expect(log).toEqual(['query a', 'query b', 'answered a servfail']);
    // Resuming twice is a stage's bug, and says so.
    expect(() => ctx.resume(ANSWERED)).toThrow(/without a waiting stage/);
  });

  it('hands a bug after the wait to the hooks instead of throwing into the stage that resumed', () => {
    const later: Array<() => void> = [];
    const p = new Pipeline([
      { name: 'broken', query: () => NEXT, answered: () => { throw new Error('unwind bug'); } },
      new Trace('w', [], (ctx) => { later.push(() => { answer(ctx, 'forwarded', 0); ctx.resume(ANSWERED); }); return WAIT; }),
    ]);
    const ctx = context();
    const failures: unknown[] = [];
    ctx.hooks = { answered: () => { throw new Error('not answered'); }, failed: (_, error) => failures.push(error) };
    expect(p.run(ctx)).toBe(false);
    expect(() => later.shift()!()).not.toThrow();
    expect(failures).toEqual([new Error('unwind bug')]);
  });

  it('throws when no stage answers (a wiring bug, caught by the handler)', () => {
    expect(() => new Pipeline([{ name: 'x', query: () => NEXT }]).run(context())).toThrow(/no stage answered/);
  });
});
