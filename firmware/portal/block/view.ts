// What the block page says, decided from `schoolgate check`'s own report for that device at that
// moment (never a second reading of the policy), in the voice of the network it is shown on.
// A restricted (illegal-content) entry gives a view without the name, its list or its category.
import type { NetworkKind } from '../../config/schema.ts';
import type { CheckReport } from '../../dns/policy/check-name.ts';

export type Voice = 'pupil' | 'staff';

export interface BlockView {
  voice: Voice;
  /** The name as asked, or null for a restricted list: the page then says only "This address is blocked." */
  name: string | null;
  restricted: boolean;
  category: string | null;
  categoryTitle: string | null;
  /** Staff voice: the lists that blocked it, the policy, the rule in words, when it opens. */
  lists: string[];
  policy: string | null;
  rule: string | null;
  opensAt: string | null;
  exception: boolean;
  /** "Request access" is offered on staff networks only. */
  canRequestAccess: boolean;
}

export function voiceOf(kind: NetworkKind): Voice {
  return kind === 'pupil' ? 'pupil' : 'staff';
}

const localFormatters = new Map<string, Intl.DateTimeFormat>();

export function formatLocal(ms: number, zone: string): string {
  let f = localFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
    localFormatters.set(zone, f);
  }
  return f.format(ms);
}

export function blockView(report: CheckReport, kind: NetworkKind, titleOf: (category: string) => string | undefined): BlockView {
  const decision = report.policy.decision;
  const restricted = decision.reason === 'restricted' || report.policy.restricted;
  const voice = voiceOf(kind);
  if (restricted) {
    return { voice, name: null, restricted: true, category: null, categoryTitle: null, lists: [], policy: null, rule: null, opensAt: null, exception: false, canRequestAccess: false };
  }
  const category = decision.category ?? null;
  const explained = report.policy.categories.find((c) => c.id === category);
  const lists = [...new Set(report.lists.filter((l) => l.kind === 'block' && (category === null || l.category === category)).map((l) => l.listName))];
  const opens = explained?.disposition === 'acceptable-at-certain-times' && explained.schedule?.known && !explained.schedule.activeNow
    ? explained.schedule.changesAt ?? null : null;
  return {
    voice,
    name: report.name,
    restricted: false,
    category,
    categoryTitle: category === null ? null : titleOf(category) ?? category,
    lists,
    policy: report.policy.policy?.name ?? null,
    rule: explained ? explained.note.split(' → ')[0] ?? null : null,
    opensAt: opens === null ? null : formatLocal(Date.parse(opens), report.policy.timezone),
    exception: decision.reason === 'exception-block',
    canRequestAccess: kind === 'staff',
  };
}
