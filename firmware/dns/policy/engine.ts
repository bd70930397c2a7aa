// The policy engine: for a device on a network at an instant, which of the matcher's categories
// block, which are watched, and which exception applies. Built once per configuration (and per
// matcher category index); a reload builds a new engine and swaps it in.
//
// Masks are compiled per (policy, device group or none) and cached until the next schedule
// change, found with nextChange(), rather than recomputed every minute: a query then costs two
// number comparisons for freshness, the masks flip at the exact minute a window opens or closes
// (BST/GMT included), and a clock stepped backwards (NTP correcting a Pi without a real-time
// clock) falls outside the cached interval and is recomputed too. A class unlock's start and end
// are boundaries too (class-unlocks.ts): while one runs, its category's bit is cleared from its
// group's slots, never for a category a policy marks unacceptable-and-illegal or a restricted list
// feeds, and before the mask is read, so exceptions and restricted lists still decide first.
// An investigation (investigations.ts) gives one device another policy for a while: a different
// slot, chosen per question by MAC, plus the categories that are never opened kept blocked.
import type { CategoryRule, Config, DeviceGroup, Network, Policy, Schedule } from '../../config/schema.ts';
import { clearBit, hasBit, isValidBit, lowestBit, MAX_CATEGORY_BITS, setBit, type MaskPair } from './bits.ts';
import { compileUnlocks, neverUnlocked, unlockAt, type CompiledUnlock } from './class-unlocks.ts';
import { Decision, type DecisionInput } from './decision.ts';
import { blocksNow } from './disposition.ts';
import { ExceptionSet } from './exceptions.ts';
import { buildExplanation, type Explanation } from './explain.ts';
import { compileInvestigations, investigationAt, type CompiledInvestigation } from './investigations.ts';
import { formatterFor, isActive, nextChange, type Terms } from './schedule.ts';

/** The parts of the configuration the engine reads. */
export type PolicyConfig = Pick<Config, 'site' | 'networks' | 'policies' | 'schedules' | 'deviceGroups' | 'exceptions'>
  & { lists?: Config['lists']; classUnlocks?: Config['classUnlocks']; investigations?: Config['investigations'] };

/** The matcher's CategoryIndex lookup: category id → bit 0..63, undefined when no list feeds it. */
export type CategoryBitOf = (id: string) => number | undefined;

export interface EngineOptions {
  /** Category ids, most severe first: which category a name blocked by several is reported under. */
  severity?: readonly string[];
  /** The matcher's reverse lookup (CategoryIndex.idOf): names categories the configuration never mentions, for explanations. */
  nameOf?: (bit: number) => string | undefined;
}

export interface CompiledRule {
  readonly id: string;
  readonly bit: number;
  readonly rule: CategoryRule;
  /** Index into the engine's schedules, or -1 when the rule has none or names an unknown one. */
  readonly schedule: number;
}

export interface CompiledPolicy {
  readonly policy: Policy;
  /** Rules for categories the matcher knows; the others can never match a name. */
  readonly rules: readonly CompiledRule[];
  readonly illegalLo: number;
  readonly illegalHi: number;
  readonly watchLo: number;
  readonly watchHi: number;
}

/** Which policy a device gets and why. */
export interface Resolution {
  network: Network | undefined;
  /** The device's group when it exists in the configuration. */
  group: DeviceGroup | undefined;
  /** The policy id wanted: the investigation's, else the voucher's, else the group's own, else the network's. */
  policyId: string | undefined;
  source: 'network' | 'device-group' | 'voucher' | 'investigation';
  /** The investigation in force for the device, when source is 'investigation'. */
  investigation?: CompiledInvestigation;
  policy: CompiledPolicy | undefined;
  /** A voucher's policy that no longer exists (a configuration change removed it): the device gets the group's or network's instead. */
  missingOverride?: string;
}

interface Slot {
  readonly policy: CompiledPolicy;
  readonly groupId: string | undefined;
  epoch: number;
  blockLo: number;
  blockHi: number;
}

interface NetworkEntry { readonly network: Network; readonly policy: number }
interface GroupEntry { readonly group: DeviceGroup; readonly index: number; readonly policy: number }

const MISSING = -1;
const NO_OVERRIDE = -2;

export class PolicyEngine {
  readonly zone: string;
  /** site.terms, for schedules active in term time only. */
  readonly terms: Terms;
  readonly exceptions: ExceptionSet;
  readonly policies: readonly CompiledPolicy[];
  readonly schedules: readonly Schedule[];

  private readonly networks = new Map<string, NetworkEntry>();
  private readonly policyIndex = new Map<string, number>();
  private readonly groups = new Map<string, GroupEntry>();
  private readonly slots: (Slot | undefined)[];
  private readonly slotsPerPolicy: number;
  private readonly bitNames: (string | undefined)[] = new Array<string | undefined>(MAX_CATEGORY_BITS).fill(undefined);
  private readonly pickOrder: Uint8Array | undefined;

  private readonly scheduleActive: Uint8Array;
  /** Indexes of schedules some rule uses: only these decide when masks go stale. */
  private readonly usedSchedules: readonly number[];
  /** Class unlocks by device group id, and all of them, for the boundaries. */
  private readonly unlocks: ReadonlyMap<string, readonly CompiledUnlock[]>;
  private readonly unlockList: readonly CompiledUnlock[];
  /** Investigations by MAC, and the categories they never open (illegal in some policy, or fed by a restricted list). */
  private readonly investigations: ReadonlyMap<string, readonly CompiledInvestigation[]>;
  readonly neverLo: number;
  readonly neverHi: number;
  /** The instant the current epoch was read at: no boundary falls between it and any instant the epoch serves. */
  private epochAt = Number.NaN;
  private epoch = 0;
  private validFrom = Infinity;
  private validUntil = -Infinity;

  private constructor(config: PolicyConfig, bitOf: CategoryBitOf, options: EngineOptions) {
    this.zone = config.site.timezone;
    this.terms = config.site.terms ?? [];
    formatterFor(this.zone); // an unknown zone fails the build, never a query
    this.exceptions = ExceptionSet.compile(config.exceptions);
    this.schedules = config.schedules;
    const scheduleIndex = new Map(config.schedules.map((s, i) => [s.id, i] as const));
    this.scheduleActive = new Uint8Array(config.schedules.length);

    const bits = new Map<string, number | undefined>();
    const bitFor = (id: string): number | undefined => {
      if (bits.has(id)) return bits.get(id);
      const bit = bitOf(id);
      if (bit !== undefined) {
        if (!isValidBit(bit)) throw new Error(`category "${id}" has bit ${bit}; the matcher's bits are 0..63`);
        const other = this.bitNames[bit];
        if (other !== undefined && other !== id) throw new Error(`categories "${other}" and "${id}" share bit ${bit}`);
        this.bitNames[bit] = id;
      }
      bits.set(id, bit);
      return bit;
    };
    for (const list of config.lists ?? []) bitFor(list.category);

    const used = new Set<number>();
    const policyIndex = this.policyIndex;
    this.policies = config.policies.map((policy, p) => {
      policyIndex.set(policy.id, p);
      const rules: CompiledRule[] = [];
      const illegal: MaskPair = { lo: 0, hi: 0 };
      const watch: MaskPair = { lo: 0, hi: 0 };
      for (const [id, rule] of Object.entries(policy.categories)) {
        const bit = bitFor(id);
        if (bit === undefined) continue;
        const schedule = rule.schedule === undefined ? -1 : scheduleIndex.get(rule.schedule) ?? -1;
        if (rule.disposition === 'acceptable-at-certain-times' && schedule >= 0) used.add(schedule);
        rules.push({ id, bit, rule, schedule });
        if (rule.disposition === 'unacceptable-and-illegal') setBit(illegal, bit);
        if (rule.watch === true) setBit(watch, bit);
      }
      return { policy, rules, illegalLo: illegal.lo, illegalHi: illegal.hi, watchLo: watch.lo, watchHi: watch.hi };
    });
    this.usedSchedules = [...used].sort((a, b) => a - b);

    for (const network of config.networks) {
      this.networks.set(network.id, { network, policy: policyIndex.get(network.policy) ?? MISSING });
    }
    config.deviceGroups.forEach((group, index) => {
      const policy = group.policy === undefined ? NO_OVERRIDE : policyIndex.get(group.policy) ?? MISSING;
      this.groups.set(group.id, { group, index, policy });
    });
    const never = neverUnlocked(config.policies, config.lists ?? []);
    this.unlocks = compileUnlocks(config.classUnlocks, new Set(this.groups.keys()), bitFor, never);
    this.investigations = compileInvestigations(config.investigations, new Set(policyIndex.keys()));
    const neverMask: MaskPair = { lo: 0, hi: 0 };
    for (const id of never) {
      const bit = bitFor(id);
      if (bit !== undefined) setBit(neverMask, bit);
    }
    this.neverLo = neverMask.lo;
    this.neverHi = neverMask.hi;
    this.unlockList = [...this.unlocks.values()].flat();
    this.slotsPerPolicy = config.deviceGroups.length + 1;
    this.slots = new Array<Slot | undefined>(this.policies.length * this.slotsPerPolicy).fill(undefined);

    if (options.nameOf) {
      for (let bit = 0; bit < MAX_CATEGORY_BITS; bit++) {
        const id = options.nameOf(bit);
        if (id !== undefined && !bits.has(id) && this.bitNames[bit] === undefined) this.bitNames[bit] = id;
      }
    }
    if (options.severity) {
      const order: number[] = [];
      for (const id of options.severity) {
        const bit = bitFor(id);
        if (bit !== undefined && !order.includes(bit)) order.push(bit);
      }
      for (let bit = 0; bit < MAX_CATEGORY_BITS; bit++) if (!order.includes(bit)) order.push(bit);
      this.pickOrder = Uint8Array.from(order);
    }
  }

  /** Throws for an unknown time zone or a bit outside 0..63: both are bugs, not configuration. */
  static build(config: PolicyConfig, bitOf: CategoryBitOf, options: EngineOptions = {}): PolicyEngine {
    return new PolicyEngine(config, bitOf, options);
  }

  /**
   * Decides for one name, writing into `out` (reset first) and returning it. `now` is ms since
   * the epoch. Order: restricted, exception, allow-list, blocked category, watched category.
   * Neither an exception nor an allow-list entry lets through a category the policy marks
   * unacceptable-and-illegal. Never throws.
   */
  decide(input: DecisionInput, now: number, out: Decision): Decision {
    out.reset();
    const groupId = input.groupId !== undefined && this.groups.has(input.groupId) ? input.groupId : undefined;
    const investigation = investigationAt(this.investigations, input.mac, now);
    const slot = this.slotFor(input.networkId, groupId, investigation ? investigation.entry.policy : input.policyId, now);
    if (slot) out.policy = slot.policy.policy;
    if (input.restricted) return block(out, 'restricted');
    if (!slot) return block(out, 'no-policy');
    const p = slot.policy;
    const { blockLo, blockHi } = input;
    const neverLo = investigation ? this.neverLo : 0;
    const neverHi = investigation ? this.neverHi : 0;
    const illegal = ((blockLo & (p.illegalLo | neverLo)) | (blockHi & (p.illegalHi | neverHi))) !== 0;

    const exception = this.exceptions.find(input.name, input.networkId, groupId, now);
    if (exception) {
      out.exceptionId = exception.id;
      if (exception.action === 'block') return block(out, 'exception-block');
      if (!illegal) return this.allow(out, 'exception-allow', blockLo, blockHi, p);
      out.exceptionId = undefined;
    }
    if (input.allowed && !illegal) return this.allow(out, 'allow-list', blockLo, blockHi, p);

    const lo = (blockLo & (slot.blockLo | neverLo)) >>> 0;
    const hi = (blockHi & (slot.blockHi | neverHi)) >>> 0;
    if ((lo | hi) !== 0) {
      out.category = this.pick(lo, hi);
      return block(out, 'category');
    }
    return this.allow(out, 'none', blockLo, blockHi, p);
  }

  /** A technician's account of decide() for the same input: see explain.ts. */
  explain(input: DecisionInput, now: Date | number): Explanation {
    return buildExplanation(this, input, typeof now === 'number' ? now : now.getTime());
  }

  /**
   * Which policy a device on `networkId` in `groupId` gets, and why. `override` is the policy of
   * the voucher the device signed in with: it replaces the group's and the network's while it
   * exists, and is passed over (reported as missing) once a configuration change removed it.
   * An investigation in force for `mac` at `now` ranks above them all.
   */
  resolve(networkId: string, groupId: string | undefined, override?: string, mac?: string, now?: number): Resolution {
    const net = this.networks.get(networkId);
    const g = groupId === undefined ? undefined : this.groups.get(groupId);
    const investigation = now === undefined ? undefined : investigationAt(this.investigations, mac, now);
    if (net && investigation) {
      const policyId = investigation.entry.policy;
      return { network: net.network, group: g?.group, policyId, source: 'investigation', policy: this.policies[this.policyIndex.get(policyId)!], investigation };
    }
    const overrideIndex = override === undefined ? undefined : this.policyIndex.get(override);
    if (net && overrideIndex !== undefined) {
      return { network: net.network, group: g?.group, policyId: override, source: 'voucher', policy: this.policies[overrideIndex] };
    }
    const source = g && g.policy !== NO_OVERRIDE ? 'device-group' : 'network';
    const policyId = source === 'device-group' ? g?.group.policy : net?.network.policy;
    const index = !net ? MISSING : source === 'device-group' ? g!.policy : net.policy;
    const resolution: Resolution = { network: net?.network, group: g?.group, policyId, source, policy: index >= 0 ? this.policies[index] : undefined };
    if (override !== undefined) resolution.missingOverride = override;
    return resolution;
  }

  /** The category id the matcher gave `bit`, when the configuration mentions it. */
  categoryOf(bit: number): string | undefined {
    return this.bitNames[bit];
  }

  /** The class unlock opening category `bit` for `groupId` at `now` (ms), if one does: see class-unlocks.ts. */
  unlockOf(groupId: string | undefined, bit: number, now: number): CompiledUnlock | undefined {
    return unlockAt(this.unlocks, groupId, bit, now);
  }

  /** The investigation in force for `mac` at `now` (ms), if one is. */
  investigationOf(mac: string | undefined, now: number): CompiledInvestigation | undefined {
    return investigationAt(this.investigations, mac, now);
  }

  /** The instant the compiled masks go stale (ms; Infinity when no schedule or unlock is ahead). */
  staleAt(now: number): number {
    this.refresh(now);
    return this.validUntil;
  }

  private slotFor(networkId: string, groupId: string | undefined, override: string | undefined, now: number): Slot | undefined {
    const net = this.networks.get(networkId);
    if (!net) return undefined;
    const g = groupId === undefined ? undefined : this.groups.get(groupId);
    let policy = g && g.policy !== NO_OVERRIDE ? g.policy : net.policy;
    // Only a guest signed in with a voucher that names a policy has an override: every other
    // question pays this one comparison. A policy since removed is passed over, never "no-policy".
    if (override !== undefined) policy = this.policyIndex.get(override) ?? policy;
    if (policy < 0) return undefined;
    const key = policy * this.slotsPerPolicy + (g ? g.index + 1 : 0);
    this.refresh(now);
    let slot = this.slots[key];
    if (!slot) {
      slot = { policy: this.policies[policy]!, groupId: g?.group.id, epoch: -1, blockLo: 0, blockHi: 0 };
      this.slots[key] = slot;
    }
    if (slot.epoch !== this.epoch) this.compileSlot(slot);
    return slot;
  }

  private compileSlot(slot: Slot): void {
    const mask: MaskPair = { lo: 0, hi: 0 };
    for (const r of slot.policy.rules) {
      const scheduleActive = r.schedule >= 0 && this.scheduleActive[r.schedule] === 1;
      if (blocksNow(r.rule, { scheduleActive, groupId: slot.groupId })) setBit(mask, r.bit);
    }
    const at = this.epochAt;
    const p = slot.policy;
    for (const u of (slot.groupId === undefined ? undefined : this.unlocks.get(slot.groupId)) ?? []) {
      if (u.from <= at && at < u.until && !hasBit(p.illegalLo, p.illegalHi, u.bit)) clearBit(mask, u.bit);
    }
    slot.blockLo = mask.lo;
    slot.blockHi = mask.hi;
    slot.epoch = this.epoch;
  }

  private refresh(now: number): void {
    if (now >= this.validFrom && now < this.validUntil) return;
    this.epoch++;
    this.epochAt = now;
    if (!Number.isFinite(now)) {
      // No wall clock to read: every timed category is outside its window, and the next call looks again.
      this.scheduleActive.fill(0);
      this.validFrom = Infinity;
      this.validUntil = -Infinity;
      return;
    }
    let until = Infinity;
    for (const i of this.usedSchedules) {
      const schedule = this.schedules[i]!;
      this.scheduleActive[i] = isActive(schedule, now, this.zone, this.terms) ? 1 : 0;
      const next = nextChange(schedule, now, this.zone, this.terms);
      if (next !== undefined && next < until) until = next;
    }
    // Schedule changes fall on whole minutes, so the state read at `now` holds from the start of its
    // minute; an unlock's edges fall anywhere and narrow the interval on either side.
    let from = this.usedSchedules.length === 0 ? -Infinity : Math.floor(now / 60_000) * 60_000;
    for (const u of this.unlockList) {
      if (u.from > now) until = Math.min(until, u.from);
      else from = Math.max(from, u.from);
      if (u.until > now) until = Math.min(until, u.until);
      else from = Math.max(from, u.until);
    }
    this.validFrom = from;
    this.validUntil = until;
  }

  private allow(out: Decision, reason: Decision['reason'], lo: number, hi: number, p: CompiledPolicy): Decision {
    out.action = 'allow';
    out.reason = reason;
    const wLo = (lo & p.watchLo) >>> 0;
    const wHi = (hi & p.watchHi) >>> 0;
    if ((wLo | wHi) !== 0) {
      out.watch = true;
      out.category = this.pick(wLo, wHi);
      // A watched visit that nothing else explains is reported under its category.
      if (reason === 'none') out.reason = 'category';
    }
    return out;
  }

  private pick(lo: number, hi: number): string | undefined {
    const order = this.pickOrder;
    if (!order) return this.bitNames[lowestBit(lo, hi)];
    for (let i = 0; i < order.length; i++) {
      const bit = order[i]!;
      if (hasBit(lo, hi, bit)) return this.bitNames[bit];
    }
    return undefined;
  }
}

function block(out: Decision, reason: Decision['reason']): Decision {
  out.action = 'block';
  out.reason = reason;
  return out;
}
