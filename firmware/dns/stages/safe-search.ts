// Safe search by rewrite: a search engine's name is answered as a CNAME to the provider's
// enforced-safe host, with that host's addresses (looked up through the cache and the upstreams).
// The browser keeps talking to the name it asked for, and the provider serves safe results. If
// the safe host cannot be resolved (nor served stale from the cache) the answer is SERVFAIL:
// never the unfiltered engine.
import { CacheHit, cacheKey, type AnswerCache } from '../answers/answer-cache.ts';
import { answer, type RequestContext } from '../query/context.ts';
import { Inspection, inspectAnswer, InspectOutcome } from '../answers/inspection.ts';
import { encodeName } from '../wire/name-writer.ts';
import { cnameRecord, type SynthRecord } from '../wire/replies.ts';
import { ForwardingStage } from '../query/forwarding-stage.ts';
import { ANSWERED, NEXT, type Stage, type StageStep } from '../query/stage.ts';
import type { ForwardResult, Forwarder } from '../upstream/forwarder.ts';
import { upstreamRcode } from '../upstream/upstream-message.ts';
import { ParsedQuery, readQuery } from '../wire/question-reader.ts';
import { QClass, QType, Rcode, HEADER_LENGTH, FLAG_RD } from '../wire/constants.ts';

/** Longest we let the rewrite be cached by clients, whatever the safe host's own TTL. */
const MAX_REWRITE_TTL = 300;

interface Target {
  owner: Uint8Array;
  /** A ready-made question for (target, type), as if a client had asked it. */
  packet: Uint8Array;
  query: ParsedQuery;
}

function questionFor(owner: Uint8Array, qtype: number): { packet: Uint8Array; query: ParsedQuery } {
  const packet = new Uint8Array(HEADER_LENGTH + owner.length + 4);
  packet[2] = FLAG_RD >>> 8;
  packet[5] = 1;
  packet.set(owner, HEADER_LENGTH);
  const at = HEADER_LENGTH + owner.length;
  packet[at] = qtype >>> 8;
  packet[at + 1] = qtype & 0xff;
  packet[at + 3] = QClass.IN;
  const query = new ParsedQuery();
  readQuery(packet, query);
  return { packet, query };
}

export class SafeSearchRewrite extends ForwardingStage implements Stage {
  readonly name = 'safe-search';
  readonly #forwarder: Forwarder;
  readonly #cache: AnswerCache;
  readonly #now: () => number;
  readonly #targets = new Map<string, Target>();
  readonly #hit = new CacheHit();
  readonly #inspection = new Inspection();

  constructor(forwarder: Forwarder, cache: AnswerCache, now: () => number) {
    super();
    this.#forwarder = forwarder;
    this.#cache = cache;
    this.#now = now;
  }

  query(ctx: RequestContext): StageStep {
    const host = ctx.rewrite;
    if (host === undefined) return NEXT;
    const qtype = ctx.query.qtype;
    if (qtype !== QType.A && qtype !== QType.AAAA) {
      // Other types get the alias alone; the device follows it with its own A/AAAA question.
      const alias = cnameRecord(host, MAX_REWRITE_TTL);
      answer(ctx, 'rewritten', Rcode.NOERROR, alias ? [alias] : []);
      return ANSWERED;
    }
    const target = this.#target(host, qtype);
    if (target === undefined) {
      answer(ctx, 'servfail', Rcode.SERVFAIL);
      return ANSWERED;
    }
    if (this.#cache.lookup(cacheKey(host, qtype, QClass.IN, false, false), 0, this.#now(), this.#hit)) {
      this.#finish(ctx, host, target, this.#hit.reply);
      return ANSWERED;
    }
    return this.ask(this.#forwarder, target.packet, target.query, ctx);
  }

  /** The safe host's addresses from the upstreams, now or after the wait. */
  protected settle(ctx: RequestContext, result: ForwardResult): void {
    const host = ctx.rewrite!;
    const qtype = ctx.query.qtype;
    // Found when the question was asked; it is only ever added to.
    const target = this.#target(host, qtype)!;
    if (result.response === undefined || upstreamRcode(result.response) !== Rcode.NOERROR) {
      // Upstreams down: the safe host's stale addresses are as safe as fresh ones (RFC 8767).
      if (this.#cache.lookupStale(cacheKey(host, qtype, QClass.IN, false, false), 0, this.#now(), this.#hit)) {
        this.#finish(ctx, host, target, this.#hit.reply);
        return;
      }
      answer(ctx, 'servfail', Rcode.SERVFAIL);
      return;
    }
    this.#cache.store(result.response, this.#now(), false, false);
    ctx.upstream = result.upstream;
    this.#finish(ctx, host, target, result.response);
  }

  #target(host: string, qtype: number): Target | undefined {
    const key = `${qtype} ${host}`;
    let target = this.#targets.get(key);
    if (target === undefined) {
      const owner = encodeName(host);
      if (owner === undefined) return undefined;
      target = { owner, ...questionFor(owner, qtype) };
      this.#targets.set(key, target);
    }
    return target;
  }

  /** CNAME to the safe host plus the safe host's addresses of the asked type. */
  #finish(ctx: RequestContext, host: string, target: Target, reply: Uint8Array): void {
    const inspection = this.#inspection;
    if (inspectAnswer(reply, { name: host, qtype: ctx.query.qtype }, inspection) !== InspectOutcome.ok) {
      answer(ctx, 'servfail', Rcode.SERVFAIL);
      return;
    }
    const ttl = inspection.minTtl < 0 ? MAX_REWRITE_TTL : Math.min(inspection.minTtl, MAX_REWRITE_TTL);
    const records: SynthRecord[] = [];
    const alias = cnameRecord(host, ttl);
    if (alias) records.push(alias);
    const want = ctx.query.qtype === QType.A ? 4 : 6;
    for (let i = 0; i < inspection.addressCount; i++) {
      if (inspection.addressFamily[i] !== want) continue;
      const rdata = inspection.addressBytes.slice(i * 16, i * 16 + (want === 4 ? 4 : 16));
      records.push({ type: ctx.query.qtype, ttl, rdata, owner: target.owner });
    }
    answer(ctx, 'rewritten', Rcode.NOERROR, records);
  }
}
