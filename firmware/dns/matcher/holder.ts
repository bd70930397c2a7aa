// The matcher in service. A reload compiles (or loads) a whole new Matcher off to the side and
// swaps the reference; a query reads `current` once and uses that table throughout, so it never
// sees half of one list set and half of another.
import { Matcher } from './matcher.ts';

export class MatcherHolder {
  #current: Matcher;
  #generation = 0;

  constructor(initial: Matcher = Matcher.empty()) {
    this.#current = initial;
  }

  get current(): Matcher {
    return this.#current;
  }

  /** Bumped by every swap: lets a cache of policy masks (per matcher categories) see a reload. */
  get generation(): number {
    return this.#generation;
  }

  /** Puts `next` in service and returns the matcher it replaced. */
  swap(next: Matcher): Matcher {
    if (!(next instanceof Matcher)) throw new TypeError('MatcherHolder.swap needs a Matcher');
    const previous = this.#current;
    this.#current = next;
    this.#generation++;
    return previous;
  }
}
