// `schoolgate check NAME --network pupil [--device MAC] [--at ...]`: why the gateway would allow
// or block a name, written for the technician on the phone to the school office. The decision
// itself comes from decide(), and every "blocks now" from the same disposition rule decide()
// compiles, so the explanation cannot drift from what the gateway does.
import type { CategoryRule } from '../../config/schema.ts';
import { bitsOf, hasBit } from './bits.ts';
import { Decision, type DecisionInput } from './decision.ts';
import { blocksNow, DISPOSITION_TEXT, inNominatedGroup } from './disposition.ts';
import type { PolicyEngine, Resolution } from './engine.ts';
import { scopeOf, type CompiledException } from './exceptions.ts';
import type { CategoryExplanation, ExceptionExplanation, Explanation } from './explain-schema.ts';
import { isActive, nextChange } from './schedule.ts';

export type { CategoryExplanation, ExceptionExplanation, Explanation };

const localFormatters = new Map<string, Intl.DateTimeFormat>();

function formatLocal(ms: number, zone: string): string {
  let f = localFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone, hourCycle: 'h23', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
      hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
    });
    localFormatters.set(zone, f);
  }
  return f.format(ms);
}

const quote = (id: string, name?: string): string => (name && name !== id ? `"${name}" (${id})` : `"${id}"`);

export function buildExplanation(engine: PolicyEngine, raw: DecisionInput, now: number): Explanation {
  const name = raw.name.toLowerCase().replace(/\.$/, '');
  const input: DecisionInput = { ...raw, name };
  const decision = engine.decide(input, now, new Decision());
  const resolution = engine.resolve(input.networkId, input.groupId, input.policyId, input.mac, now);
  const groupId = resolution.group?.id;
  const policy = resolution.policy?.policy;

  const group = resolution.group ? { id: resolution.group.id, name: resolution.group.name } : undefined;
  const categories = bitsOf(input.blockLo >>> 0, input.blockHi >>> 0).map((bit) => explainCategory(engine, bit, policy?.categories, group, now));
  if (resolution.source === 'investigation') for (const c of categories) keptBlocked(engine, c);
  const illegalHit = categories.some((c) => (c.configured && c.disposition === 'unacceptable-and-illegal') || c.note.includes(KEPT_BLOCKED));
  const exceptions = explainExceptions(engine, input, groupId, now, decision, illegalHit);

  return {
    name,
    network: input.networkId,
    deviceGroup: input.groupId ?? null,
    at: new Date(now).toISOString(),
    localTime: formatLocal(now, engine.zone),
    timezone: engine.zone,
    policy: policy ? { id: policy.id, name: policy.name, source: resolution.source, note: policyNote(resolution, input.groupId, engine.zone) } : null,
    restricted: input.restricted,
    allowListed: input.allowed,
    categories,
    exceptions,
    decision: decision.toRecord(),
    summary: summarise(decision, input, resolution, categories, exceptions),
  };
}

const KEPT_BLOCKED = 'kept blocked during an investigation';

/** An investigation's policy never opens a category some policy marks unacceptable and illegal, or a restricted list feeds. */
function keptBlocked(engine: PolicyEngine, c: CategoryExplanation): void {
  if (c.blocksNow || !hasBit(engine.neverLo, engine.neverHi, c.bit)) return;
  c.blocksNow = true;
  c.note = `${c.note.split(' → ')[0]}; ${KEPT_BLOCKED}: some policy marks it unacceptable and illegal, or an illegal-content list feeds it → blocks now`;
}

function policyNote(r: Resolution, requestedGroup: string | undefined, zone: string): string {
  const p = r.policy!.policy;
  const net = r.network!;
  if (r.source === 'investigation') {
    const inv = r.investigation!;
    return `the device is under investigation #${inv.entry.id} (incident ${inv.entry.incidentId}) until ${formatLocal(inv.until, zone)}: policy ${quote(p.id, p.name)} replaces network ${quote(net.id, net.name)}'s policy "${net.policy}"; illegal-content lists and categories still block`;
  }
  if (r.source === 'voucher') {
    return `the device is signed in with a voucher for policy ${quote(p.id, p.name)}, which replaces network ${quote(net.id, net.name)}'s policy "${net.policy}" until the voucher ends`;
  }
  const missing = r.missingOverride !== undefined
    ? `; the device's voucher names policy "${r.missingOverride}", which no longer exists, so it gets this one instead` : '';
  return policyNoteOf(r, requestedGroup, p, net) + missing;
}

function policyNoteOf(r: Resolution, requestedGroup: string | undefined, p: NonNullable<Resolution['policy']>['policy'], net: NonNullable<Resolution['network']>): string {
  const unknownGroup = requestedGroup !== undefined && !r.group
    ? `; device group "${requestedGroup}" does not exist, so the device counts as in no group` : '';
  if (r.source === 'device-group') {
    const g = r.group!;
    return `device group ${quote(g.id, g.name)} has its own policy ${quote(p.id, p.name)}, which replaces network ${quote(net.id, net.name)}'s policy "${net.policy}"`;
  }
  const noOwn = r.group ? `; device group ${quote(r.group.id, r.group.name)} has no policy of its own` : '';
  return `network ${quote(net.id, net.name)} uses policy ${quote(p.id, p.name)}${noOwn}${unknownGroup}`;
}

function explainCategory(engine: PolicyEngine, bit: number, rules: Readonly<Record<string, CategoryRule>> | undefined,
  group: { id: string; name: string } | undefined, now: number): CategoryExplanation {
  const groupId = group?.id;
  const id = engine.categoryOf(bit) ?? `bit-${bit}`;
  const rule = rules && Object.hasOwn(rules, id) ? rules[id] : undefined;
  if (!rule) {
    return { id, bit, configured: false, disposition: 'acceptable', blocksNow: false, watch: false, note: 'not mentioned by this policy, so acceptable: allowed' };
  }
  const out: CategoryExplanation = { id, bit, configured: true, disposition: rule.disposition, blocksNow: false, watch: rule.watch === true, note: '' };
  let scheduleActive = false;
  let detail = '';
  if (rule.disposition === 'acceptable-at-certain-times' || rule.schedule !== undefined) {
    const schedule = engine.schedules.find((s) => s.id === rule.schedule);
    scheduleActive = schedule !== undefined && isActive(schedule, now, engine.zone, engine.terms);
    const changes = schedule && nextChange(schedule, now, engine.zone, engine.terms);
    out.schedule = { id: rule.schedule ?? '', name: schedule?.name ?? rule.schedule ?? '', known: schedule !== undefined, activeNow: scheduleActive };
    if (changes !== undefined) out.schedule.changesAt = new Date(changes).toISOString();
    if (rule.disposition === 'acceptable-at-certain-times') {
      detail = !schedule
        ? `: allowed only while schedule "${rule.schedule ?? ''}" is active, but no such schedule exists`
        : `: allowed only while schedule ${quote(schedule.id, schedule.name)} is active; it is ${scheduleActive ? '' : 'not '}active now`
          + (changes === undefined ? '' : ` (${scheduleActive ? 'closes' : 'opens'} ${formatLocal(changes, engine.zone)})`);
    }
  }
  if (rule.disposition === 'acceptable-for-nominated-users' || rule.groups !== undefined) {
    const member = inNominatedGroup(rule, groupId);
    out.groups = { required: [...(rule.groups ?? [])], deviceGroup: groupId ?? null, member };
    if (rule.disposition === 'acceptable-for-nominated-users') {
      const device = groupId === undefined ? 'this device is in no group' : `this device is in "${groupId}"${member ? '' : ', which is not one of them'}`;
      detail = `: allowed only for devices in ${(rule.groups ?? []).map((g) => `"${g}"`).join(', ') || 'no group at all'}; ${device}`;
    }
  }
  if (rule.disposition === 'unacceptable') detail = ': always blocked by this policy';
  if (rule.disposition === 'unacceptable-and-illegal') detail = ': always blocked; no exception or allow-list entry can let it through';
  out.blocksNow = blocksNow(rule, { scheduleActive, groupId });
  // The engine drops an unlock of an illegal category, so one found here opens the category.
  const unlock = out.blocksNow ? engine.unlockOf(groupId, bit, now) : undefined;
  if (unlock && group) {
    const u = unlock.unlock;
    out.blocksNow = false;
    out.unlock = { id: u.id, group: u.group, by: u.by, from: u.from, until: u.until, reason: u.reason };
    detail += `; unlocked for ${quote(group.id, group.name)} by ${u.by} until ${formatLocal(unlock.until, engine.zone)} ("${u.reason}", ${u.id})`;
  }
  out.note = `${DISPOSITION_TEXT[rule.disposition]}${detail} → ${out.blocksNow ? 'blocks now' : 'allowed now'}`
    + (out.watch ? '; watched: every allowed visit is an alert for the weekly review' : '');
  return out;
}

function explainExceptions(engine: PolicyEngine, input: DecisionInput, groupId: string | undefined, now: number, decision: Decision, illegalHit: boolean): ExceptionExplanation[] {
  const considered = !input.restricted && decision.reason !== 'no-policy';
  let decided = false;
  return engine.exceptions.covering(input.name).map((ex) => {
    const scope = scopeOf(ex, input.networkId, groupId, now);
    let status: ExceptionExplanation['status'];
    if (scope !== 'applies') status = scope;
    else if (!considered) status = 'not-considered';
    else if (decided) status = 'superseded';
    else {
      decided = true;
      status = ex.action === 'allow' && illegalHit ? 'overridden' : 'applied';
    }
    const out: ExceptionExplanation = {
      id: ex.id, domain: ex.domain, action: ex.action, reason: ex.reason, requestedBy: ex.requestedBy, status,
      note: exceptionNote(ex, status, input, engine.zone),
    };
    if (ex.expires !== undefined) out.expires = ex.expires;
    return out;
  });
}

function describeException(ex: CompiledException, zone: string): string {
  const until = ex.expiresAt === Infinity ? 'no expiry' : Number.isFinite(ex.expiresAt) ? `until ${formatLocal(ex.expiresAt, zone)}` : 'unreadable expiry';
  return `${ex.action} ${ex.domain} (${until}; requested by ${ex.requestedBy}: "${ex.reason}")`;
}

function exceptionNote(ex: CompiledException, status: ExceptionExplanation['status'], input: DecisionInput, zone: string): string {
  const what = describeException(ex, zone);
  switch (status) {
    case 'applied': return `${what}: applies, and decides`;
    case 'overridden': return `${what}: applies, but the name is in a category this policy marks unacceptable and illegal, which no exception can allow`;
    case 'superseded': return `${what}: applies, but a more specific exception (or a block for the same domain) decided first`;
    case 'not-considered': return `${what}: not considered: ${input.restricted ? 'the name is on an illegal-content list' : 'no policy applies'}`;
    case 'expired': return `${what}: expired, so ignored`;
    case 'other-network': return `${what}: only for network(s) ${(ex.networks ?? []).join(', ')}, not "${input.networkId}"`;
    case 'other-group': return `${what}: only for device group(s) ${(ex.groups ?? []).join(', ')}, and this device ${input.groupId === undefined ? 'is in no group' : `is in "${input.groupId}"`}`;
  }
}

function summarise(d: Decision, input: DecisionInput, r: Resolution, categories: readonly CategoryExplanation[], exceptions: readonly ExceptionExplanation[]): string {
  const verdict = d.action === 'block' ? 'BLOCKED' : d.watch ? 'ALLOWED (watched)' : 'ALLOWED';
  const applied = exceptions.find((e) => e.status === 'applied');
  const category = categories.find((c) => c.id === d.category);
  const watched = d.watch && category ? ` Category "${category.id}" is watched: this visit is an alert for the weekly review.` : '';
  switch (d.reason) {
    case 'restricted':
      return `${verdict}: ${input.name} is on an illegal-content list. It is blocked on every network and nothing, not even an exception, can allow it.`;
    case 'no-policy':
      return r.network
        ? `${verdict}: network "${input.networkId}" should use policy "${r.policyId ?? ''}", which does not exist, so the gateway blocks everything there until the configuration is fixed.`
        : `${verdict}: network "${input.networkId}" is not in the configuration, so no policy applies and the gateway blocks.`;
    case 'exception-block':
    case 'exception-allow':
      return `${verdict} by exception "${d.exceptionId ?? ''}"${applied ? `: ${applied.note.replace(/: applies, and decides$/, '')}` : ''}.${watched}`;
    case 'allow-list':
      return `${verdict}: ${input.name} is on an allow list.${watched}`;
    case 'category':
      if (d.action === 'block') {
        const overridden = exceptions.some((e) => e.status === 'overridden') || input.allowed
          ? ' An exception or allow-list entry matched, but cannot allow an unacceptable-and-illegal category.' : '';
        const why = category ? ` (${category.note.split(' → ')[0] ?? ''})` : '';
        return `${verdict}: ${input.name} is in category "${d.category ?? ''}", which this policy blocks now${why}.${overridden}`;
      }
      return `${verdict}: ${input.name} is in no category this policy blocks now.${unlocked(categories)}${watched}`;
    case 'none':
      return categories.length === 0
        ? `${verdict}: ${input.name} is on no list this gateway uses.`
        : `${verdict}: ${input.name} is listed only in categories this policy allows now.${unlocked(categories)}`;
  }
}

/** The class unlocks that opened a category this name is in, as the summary's last words. */
function unlocked(categories: readonly CategoryExplanation[]): string {
  return categories.filter((c) => c.unlock).map((c) => ` Category "${c.id}" is open by a class unlock: ${c.note.split('; unlocked ')[1]?.split(' → ')[0] ?? ''}.`).join('');
}
