// What a change request would change, in words (pure): the list's title and the summary lines,
// made once when the request is made, from the proposal and the configuration then, so the record
// keeps the names the approvers read even if a network, policy or device is renamed later. Times
// are the school's clocks. Also the current exceptions in words, for the pages and the CLI.
// Devices are named from the devices table through `deviceName`, a lookup the caller passes in.
import { DISPOSITION_LABELS } from '../../admin/aup-table.ts';
import type { UnlockLimit } from '../../config/classes-schema.ts';
import type { CategoryRule, Config, Disposition, FilterException } from '../../config/schema.ts';
import { isLocallyAdministered } from '../../state/mac.ts';
import { SENIOR_APPROVERS } from './change-rules.ts';
import type { ConfigEdit, ExceptionView, Proposal } from './change-schema.ts';
import { groupWords, moveWords } from './device-move.ts';
import { scheduleIndexOf, scheduleLine, settingEditWords, settingTitle } from './setting-words.ts';
import { filteringOf, moveWidening } from './widening.ts';

export interface WordsContext {
  config: Pick<Config, 'site' | 'networks' | 'deviceGroups' | 'policies' | 'schedules' | 'exceptions' | 'classes'>;
  /** The catalogue's category titles ("Social networking"); an unknown id is shown as it is. */
  categoryTitle: (id: string) => string | undefined;
  /** A device in the devices table by its MAC, undefined when the gateway has not seen it. */
  deviceName?: DeviceNameOf;
}

/** The devices table's name for a device ("Sam's watch"; empty when no one named it) and the network it was last seen on, undefined when the gateway does not know it. */
export type DeviceNameOf = (mac: string) => { name: string; networkId?: string } | undefined;

export interface ChangeWords {
  title: string;
  lines: string[];
}

const EXCEPTION_ID = /^change-(\d+)$/;

/** The exception id a request's applying gives it. */
export const exceptionIdOf = (requestId: number): string => `change-${requestId}`;

/** The request that made an exception, from its id. */
export function requestOfException(id: string): number | null {
  const match = EXCEPTION_ID.exec(id);
  return match ? Number(match[1]) : null;
}

const listWords = (items: readonly string[]): string => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

const networkName = (config: WordsContext['config'], id: string): string => config.networks.find((n) => n.id === id)?.name ?? id;
const groupName = (config: WordsContext['config'], id: string): string => config.deviceGroups.find((g) => g.id === id)?.name ?? id;

/** "Sam's watch (aa:bb:cc:dd:ee:ff)", or "the device aa:bb:cc:dd:ee:ff" when it has no name yet. */
export function deviceWords(mac: string, deviceName: DeviceNameOf | undefined): string {
  const name = deviceName?.(mac)?.name;
  return name === undefined || name === '' ? `the device ${mac}` : `${name} (${mac})`;
}

/** "Sam's watch (aa:bb:…) and the device 02:…": the devices an exception is for. */
export const devicesWords = (macs: readonly string[], deviceName: DeviceNameOf | undefined): string => listWords(macs.map((m) => deviceWords(m, deviceName)));

/** "Staff, Pupils (Year 6 only)", "Pupils, for Sam's watch (aa:…) only", or "every network" when none are named. */
export function whereWords(config: WordsContext['config'], networks: readonly string[] | undefined, groups: readonly string[] | undefined,
  devices?: readonly string[], deviceName?: DeviceNameOf): string {
  const where = networks === undefined || networks.length === 0 ? 'every network' : networks.map((n) => networkName(config, n)).join(', ');
  const grouped = groups === undefined || groups.length === 0 ? where : `${where} (${listWords(groups.map((g) => groupName(config, g)))} only)`;
  return devices === undefined || devices.length === 0 ? grouped : `${grouped}, for ${devicesWords(devices, deviceName)} only`;
}

/** "19 Dec" (short, for a title) or "Friday 19 December 2025 at 23:59" on the school's clocks. */
export function expiryWords(iso: string, timezone: string, style: 'short' | 'long'): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  // Built from parts: ICU versions differ on the comma after the weekday.
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone, weekday: 'long', day: 'numeric', month: style === 'short' ? 'short' : 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at).map((p) => [p.type, p.value]));
  if (style === 'short') return `${parts.day} ${parts.month}`;
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year} at ${parts.hour}:${parts.minute}`;
}

const label = (d: Disposition): string => DISPOSITION_LABELS.find((x) => x.value === d)?.label ?? d;
const verb = (action: 'allow' | 'block'): string => (action === 'allow' ? 'Allow' : 'Block');
const nameWords = (domain: string): string => (domain.startsWith('*.') ? `every name under ${domain.slice(2)}` : `${domain} (and every name under it)`);

function exceptionWords(p: Extract<Proposal, { kind: 'exception' }>, ctx: WordsContext): ChangeWords {
  const { config } = ctx;
  const zone = config.site.timezone;
  const where = whereWords(config, p.networks, p.groups);
  const devices = p.devices ?? [];
  const forDevices = devices.length === 0 ? '' : ` for ${devicesWords(devices, ctx.deviceName)}`;
  const lines = [`${verb(p.action)} ${nameWords(p.domain)}${forDevices} on ${where}`];
  lines.push(p.expires === undefined ? 'No end date: it stays until another request ends it' : `Until ${expiryWords(p.expires, zone, 'long')}`);
  if (devices.length > 0) {
    lines.push(`Only ${devices.length === 1 ? 'that device' : 'those devices'}: every other device on ${p.networks.length === 1 ? 'that network' : 'those networks'} keeps the standard filtering`);
    const unseen = devices.filter((mac) => ctx.deviceName?.(mac) === undefined);
    if (unseen.length > 0) lines.push(`Not seen by the gateway yet: ${listWords(unseen)}; it applies once ${unseen.length === 1 ? 'the device joins' : 'each joins'} and is given an address`);
    const randomised = devices.filter((mac) => isLocallyAdministered(mac));
    if (randomised.length > 0) lines.push(`${listWords(randomised)} ${randomised.length === 1 ? 'is a private (randomised) address' : 'are private (randomised) addresses'}: if the device changes it, the exception no longer matches`);
  }
  const wider = p.networks.filter((id) => config.networks.find((n) => n.id === id)?.kind !== 'staff');
  if (p.action === 'allow' && devices.length > 0) {
    lines.push(`For named devices: the headteacher must be one of the approvers`);
  } else if (p.action === 'allow' && wider.length > 0) {
    lines.push(`Reaches ${listWords(wider.map((n) => networkName(config, n)))}, not only staff: the headteacher must be one of the approvers`);
  }
  if (p.action === 'allow') lines.push('It never lets through a name on an illegal-content list, whatever it says');
  const until = p.expires === undefined ? '' : ` until ${expiryWords(p.expires, zone, 'short')}`;
  return { title: `${verb(p.action)} ${p.domain}${forDevices} on ${where}${until}`, lines };
}

function exceptionEndWords(p: Extract<Proposal, { kind: 'exception-end' }>, ctx: WordsContext): ChangeWords {
  const { config } = ctx;
  const found = config.exceptions.find((e) => e.id === p.exceptionId);
  if (found === undefined) return { title: `End exception ${p.exceptionId}`, lines: [`End the exception "${p.exceptionId}" early`] };
  const what = `${found.action === 'allow' ? 'allowing' : 'blocking'} ${found.domain} on ${whereWords(config, found.networks, found.groups, found.devices, ctx.deviceName)}`;
  const lines = [`End the exception ${what} now`];
  lines.push(found.expires === undefined ? 'It had no end date' : `It was to end on ${expiryWords(found.expires, config.site.timezone, 'long')}`);
  lines.push(`It was asked for by ${found.requestedBy}: "${found.reason}"`);
  return { title: `End the exception ${what}`, lines };
}

/** One category row in words: "acceptable at certain times (Lunchtime)", "unacceptable, watched". */
export function ruleWords(rule: CategoryRule | undefined, config: WordsContext['config']): string {
  // A policy without a row for a category allows it (the AUP table shows it as acceptable).
  if (rule === undefined) return 'acceptable (no rule)';
  const parts = [label(rule.disposition).toLowerCase()];
  const extra: string[] = [];
  if (rule.schedule !== undefined) extra.push(config.schedules.find((s) => s.id === rule.schedule)?.name ?? rule.schedule);
  if (rule.groups !== undefined && rule.groups.length > 0) extra.push(listWords(rule.groups.map((g) => groupName(config, g))));
  if (extra.length > 0) parts[0] += ` (${extra.join('; ')})`;
  if (rule.watch === true) parts.push('watched');
  return parts.join(', ');
}

/** A value of the configuration in words, for paths without words of their own. */
function valueWords(value: unknown): string {
  if (value === undefined) return 'not set';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

const unescapePointer = (segment: string): string => segment.replaceAll('~1', '/').replaceAll('~0', '~');

/** "The Pupils policy (used on Pupils)": a policy by its name and the networks that use it. */
function policyWords(config: WordsContext['config'], index: number): string | undefined {
  const policy = config.policies[index];
  if (policy === undefined) return undefined;
  const networks = config.networks.filter((n) => n.policy === policy.id).map((n) => n.name);
  return `The ${policy.name} policy (${networks.length > 0 ? `used on ${listWords(networks)}` : 'no network uses it'})`;
}

/** A category row's path ("/policies/1/categories/social") and the field under it, if any. */
function categoryRowOf(path: string): { row: string; policy: number; category: string; field: string[] } | undefined {
  const parts = path.split('/').slice(1).map(unescapePointer);
  if (parts[0] !== 'policies' || !/^\d+$/.test(parts[1] ?? '') || parts[2] !== 'categories' || parts[3] === undefined) return undefined;
  return { row: parts.slice(0, 4).join('/'), policy: Number(parts[1]), category: parts[3], field: parts.slice(4) };
}

/**
 * The edits in words, a line per AUP row: the page's diff holds one edit per changed value
 * (".../social/disposition", ".../social/watch"), but an approver reads the row as a whole
 * ("Social networking: unacceptable → acceptable, watched"), so a row's edits are folded onto
 * the row as it is now. Edits elsewhere keep a line each.
 */
function editLines(edits: readonly ConfigEdit[], ctx: WordsContext): string[] {
  const lines: string[] = [];
  const rows = new Map<string, { at: number; policy: number; category: string; after: Record<string, unknown> | undefined }>();
  // A schedule's edits fold onto one line, as a row's do (setting-words.ts).
  const schedules = new Map<number, number>();
  for (const edit of edits) {
    const schedule = scheduleIndexOf(edit.path);
    if (schedule !== undefined) {
      if (!schedules.has(schedule)) schedules.set(schedule, lines.push('') - 1);
      continue;
    }
    const row = categoryRowOf(edit.path);
    const rule = row === undefined ? undefined : ctx.config.policies[row.policy]?.categories[row.category];
    if (row === undefined || row.field.length !== 1 || ctx.config.policies[row.policy] === undefined) {
      lines.push(editWords(edit, ctx));
      continue;
    }
    let folded = rows.get(row.row);
    if (folded === undefined) {
      folded = { at: lines.length, policy: row.policy, category: row.category, after: rule === undefined ? {} : { ...rule } };
      rows.set(row.row, folded);
      lines.push('');
    }
    if (folded.after !== undefined) {
      if (edit.after === undefined) delete folded.after[row.field[0]!];
      else folded.after[row.field[0]!] = edit.after;
    }
  }
  for (const folded of rows.values()) {
    const before = ctx.config.policies[folded.policy]!.categories[folded.category];
    lines[folded.at] = editWords({ path: `/policies/${folded.policy}/categories/${folded.category}`, before, after: folded.after as CategoryRule | undefined }, ctx);
  }
  for (const [index, at] of schedules) lines[at] = scheduleLine(index, edits.filter((e) => scheduleIndexOf(e.path) === index), ctx.config);
  return lines;
}

/** A policy's own settings as the Acceptable use page names them. */
const POLICY_FIELDS: Readonly<Record<string, string>> = { safeSearch: 'Safe search', blockAnswer: 'Block answer', name: 'Name' };

/** The head's limits on class unlocks, as the Acceptable use page lists them. */
export const CLASS_LIMITS_WORDS = 'What teachers may unlock for their classes';

/** "Streaming for Year 6, up to 60 minutes". */
function limitWords(limit: UnlockLimit | undefined, ctx: WordsContext): string {
  if (limit === undefined) return 'none';
  const classes = limit.groups === undefined ? 'every class' : listWords(limit.groups.map((g) => groupName(ctx.config, g)));
  return `${ctx.categoryTitle(limit.category) ?? limit.category} for ${classes}, up to ${limit.maxMinutes} minutes`;
}

const limitsWords = (limits: readonly UnlockLimit[] | undefined, ctx: WordsContext): string =>
  (limits === undefined || limits.length === 0 ? 'none' : limits.map((l) => limitWords(l, ctx)).join('; '));

/** An edit of the `classes` section in words, or undefined for one of its other parts. */
function classEditWords(parts: readonly string[], edit: { before?: unknown; after?: unknown }, ctx: WordsContext): string | undefined {
  if (parts.length === 1) {
    const unlocks = (value: unknown) => (value as { unlocks?: UnlockLimit[] } | undefined)?.unlocks;
    return `${CLASS_LIMITS_WORDS}: ${limitsWords(unlocks(edit.before), ctx)} → ${limitsWords(unlocks(edit.after), ctx)}`;
  }
  if (parts[1] !== 'unlocks') return undefined;
  if (parts.length === 2) return `${CLASS_LIMITS_WORDS}: ${limitsWords(edit.before as UnlockLimit[] | undefined, ctx)} → ${limitsWords(edit.after as UnlockLimit[] | undefined, ctx)}`;
  const index = Number(parts[2]);
  if (parts.length === 3) return `${CLASS_LIMITS_WORDS}: ${limitWords(edit.before as UnlockLimit | undefined, ctx)} → ${limitWords(edit.after as UnlockLimit | undefined, ctx)}`;
  // One field of one limit: the limit as it is now, then the field's change.
  const now = ctx.config.classes?.unlocks[index];
  const field = parts[3] === 'maxMinutes' ? 'longest' : parts[3] === 'groups' ? 'classes' : parts[3];
  const value = (v: unknown) => (v === undefined ? (parts[3] === 'groups' ? 'every class' : 'not set')
    : parts[3] === 'groups' && Array.isArray(v) ? listWords(v.map((g) => groupName(ctx.config, String(g))))
      : parts[3] === 'category' ? ctx.categoryTitle(String(v)) ?? String(v)
        : parts[3] === 'maxMinutes' ? `${String(v)} minutes` : valueWords(v));
  return `${CLASS_LIMITS_WORDS}: ${limitWords(now, ctx)}: ${field} ${value(edit.before)} → ${value(edit.after)}`;
}

/** One configuration edit in words. */
export function editWords(edit: { path: string; before?: unknown; after?: unknown }, ctx: WordsContext): string {
  const { config } = ctx;
  const parts = edit.path.split('/').slice(1).map(unescapePointer);
  const setting = settingEditWords(edit, config);
  if (setting !== undefined) return setting;
  if (parts[0] === 'classes') {
    const words = classEditWords(parts, edit, ctx);
    if (words !== undefined) return words;
  }
  if (parts[0] === 'policies' && /^\d+$/.test(parts[1] ?? '')) {
    const policy = policyWords(config, Number(parts[1]));
    if (policy !== undefined && parts[2] === 'categories' && parts.length === 4) {
      const id = parts[3]!;
      return `${policy}: ${ctx.categoryTitle(id) ?? id}: ${ruleWords(edit.before as CategoryRule | undefined, config)} → ${ruleWords(edit.after as CategoryRule | undefined, config)}`;
    }
    if (policy !== undefined && parts.length >= 3) {
      return `${policy}: ${parts.slice(2).map((f) => POLICY_FIELDS[f] ?? f).join(' › ')}: ${valueWords(edit.before)} → ${valueWords(edit.after)}`;
    }
  }
  return `${edit.path}: ${valueWords(edit.before)} → ${valueWords(edit.after)}`;
}

function configWords(p: Extract<Proposal, { kind: 'config' }>, ctx: WordsContext): ChangeWords {
  const lines = editLines(p.edits, ctx);
  const policies = new Set<string>();
  const categories: string[] = [];
  for (const edit of p.edits) {
    const parts = edit.path.split('/').slice(1).map(unescapePointer);
    if (parts[0] !== 'policies' || !/^\d+$/.test(parts[1] ?? '')) continue;
    const policy = ctx.config.policies[Number(parts[1])];
    if (policy) policies.add(policy.name);
    const title = parts[2] === 'categories' && parts[3] !== undefined ? ctx.categoryTitle(parts[3]) ?? parts[3] : undefined;
    if (title !== undefined && !categories.includes(title)) categories.push(title);
  }
  const limitsOnly = p.edits.every((e) => e.path === '/classes' || e.path.startsWith('/classes/unlocks'));
  const title = policies.size > 0
    ? `Change the ${listWords([...policies])} ${policies.size === 1 ? 'policy' : 'policies'}${categories.length > 0 ? `: ${categories.slice(0, 3).join(', ')}${categories.length > 3 ? ` and ${categories.length - 3} more` : ''}` : ''}`
    : settingTitle(p.edits, ctx.config) ?? (limitsOnly ? `Change ${CLASS_LIMITS_WORDS.charAt(0).toLowerCase()}${CLASS_LIMITS_WORDS.slice(1)}`
      : `Change the configuration (${p.action}, ${p.subject})`);
  return { title, lines };
}

function investigationWords(p: Extract<Proposal, { kind: 'investigation' }>, ctx: WordsContext): ChangeWords {
  const { config } = ctx;
  const policy = config.policies.find((x) => x.id === p.policy)?.name ?? p.policy;
  const lines = [
    `Investigate device ${p.device} for incident ${p.incidentId}`,
    `Its lookups are filtered by the ${policy} policy meanwhile; illegal-content lists still block`,
    `Until ${expiryWords(p.until, config.site.timezone, 'long')}, or until a senior account or the IT provider ends it`,
    'Every lookup it makes is kept and attached to the incident as evidence when it ends',
    `To be approved by ${SENIOR_APPROVERS}, neither of them the person asking`,
  ];
  return { title: `Investigate ${p.device} under ${policy} until ${expiryWords(p.until, config.site.timezone, 'short')} (incident ${p.incidentId})`, lines };
}

function deviceMoveWords(p: Extract<Proposal, { kind: 'device-group' }>, ctx: WordsContext): ChangeWords {
  const { config } = ctx;
  const device = deviceWords(p.mac, ctx.deviceName);
  const title = `Move ${device} from ${groupWords(config, p.from)} to ${groupWords(config, p.to)}`;
  const networkId = ctx.deviceName?.(p.mac)?.networkId;
  if (networkId === undefined) return { title, lines: [title] };
  const what = moveWords(config, device, p.from, p.to, moveWidening(config, networkId, p.from, p.to), ctx.categoryTitle);
  const policy = (group: string | null): string => {
    const name = filteringOf(config, networkId, group)?.policy.name;
    return name === undefined ? 'no policy' : `the ${name} policy`;
  };
  const lines = [`${what.charAt(0).toUpperCase()}${what.slice(1)}`, `Its filtering: ${policy(p.from)} → ${policy(p.to)}`];
  const network = config.networks.find((n) => n.id === networkId);
  lines.push(network?.kind === 'staff' ? `It is on the ${network.name} network (staff)` : `It is on the ${network?.name ?? networkId} network, not a staff network: the headteacher must be one of the approvers`);
  return { title, lines };
}

/** The title and summary lines of a proposal against the configuration now. */
export function proposalWords(proposal: Proposal, ctx: WordsContext): ChangeWords {
  switch (proposal.kind) {
    case 'exception': return exceptionWords(proposal, ctx);
    case 'exception-end': return exceptionEndWords(proposal, ctx);
    case 'config': return configWords(proposal, ctx);
    case 'investigation': return investigationWords(proposal, ctx);
    case 'device-group': return deviceMoveWords(proposal, ctx);
  }
}

/** The configuration's exceptions in words, in configuration order. */
export function exceptionViews(config: WordsContext['config'], now: Date, deviceName?: DeviceNameOf): ExceptionView[] {
  return config.exceptions.map((e: FilterException) => ({
    id: e.id, domain: e.domain, action: e.action, where: whereWords(config, e.networks, e.groups, e.devices, deviceName),
    networks: e.networks === undefined || e.networks.length === 0 ? null : [...e.networks],
    groups: e.groups === undefined || e.groups.length === 0 ? null : [...e.groups],
    devices: e.devices === undefined || e.devices.length === 0 ? null : e.devices.map((mac) => ({ mac, name: deviceName?.(mac)?.name || null })),
    reason: e.reason, requestedBy: e.requestedBy,
    expires: e.expires === undefined || Number.isNaN(Date.parse(e.expires)) ? null : new Date(e.expires).toISOString(),
    // An unreadable expiry counts as past, as the DNS engine treats it.
    expired: e.expires !== undefined && !(Date.parse(e.expires) > now.getTime()),
    changeRequest: requestOfException(e.id),
  }));
}
