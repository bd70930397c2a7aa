// Which audit entries are "changes to filtering and configuration" for the annual pack: what a
// governor asks about (policies, lists, networks, exceptions, resolvers, who holds which role),
// not sign-ins or a device's suspension, which name a device or a person going about their day.
// Every step of a change request counts (change.*): the policies ask that all requests and their
// outcomes are audited annually, not only those applied.
const PREFIXES = ['policy.', 'schedules.', 'groups.', 'network.', 'upstreams.', 'lists.', 'aup.', 'settings.', 'config.', 'exception.', 'change.', 'annual.'];
// A teacher's class unlock (and its early end) is a filtering change within limits the head set through change control.
// An investigation starts as a change request (change.apply); its end returns the device to its usual filtering.
const EXACT = new Set(['class.unlock', 'class.unlock-end', 'investigation.end', 'investigation.expire', 'selftest.external', 'account.create', 'account.roles', 'account.disable', 'account.enable', 'setup.complete', 'account.break-glass-reset']);

export function isChangeAction(action: string): boolean {
  return EXACT.has(action) || PREFIXES.some((p) => action.startsWith(p));
}

/** Each change in words a governor reads; an action not named here is shown as its code. */
export const CHANGE_WORDS: Readonly<Record<string, string>> = {
  'policy.edit': 'Acceptable-use table changed',
  'schedules.edit': 'Schedules changed',
  'groups.edit': 'Device groups changed',
  'network.add': 'Network added',
  'network.edit': 'Network changed',
  'network.remove': 'Network removed',
  'upstreams.edit': 'Filtering resolvers changed',
  'lists.import': 'Block list imported',
  'lists.update': 'Block lists updated',
  'lists.remove': 'Block list removed',
  'lists.reload': 'Block lists reloaded',
  'lists.undo': 'Block list change undone (the lists could not be loaded)',
  'aup.edit': 'Acceptable use policy text changed',
  'settings.edit': 'Settings changed',
  'settings.logo': 'School logo changed',
  'config.reload': 'Configuration file reloaded',
  'class.unlock': 'Category unlocked for a class for a lesson (within the headteacher\'s limits)',
  'class.unlock-end': 'Class unlock ended early',
  'investigation.end': 'Investigation of a device ended early',
  'investigation.expire': 'Investigation of a device ended at its time',
  'selftest.external': 'External filter test recorded',
  'account.create': 'Account created',
  'account.roles': 'Account roles changed',
  'account.disable': 'Account disabled',
  'account.enable': 'Account enabled',
  'account.break-glass-reset': 'Recovery account password renewed',
  'setup.complete': 'Gateway set up',
  // The action an applied change request of the head's class-unlock limits stands for.
  'classes.limits': 'What teachers may unlock for their classes changed',
  'change.request': 'Filtering change requested',
  'change.approve': 'Filtering change approved',
  'change.decline': 'Filtering change declined',
  'change.withdraw': 'Filtering change request withdrawn',
  'change.apply': 'Approved filtering change applied',
  'change.apply-failed': 'Approved filtering change could not be applied (the configuration had changed)',
  'change.upstream': 'Approved filtering change sent to the filtering provider',
  'annual.open': 'Annual review opened',
  'annual.participant': 'Annual review participant added',
  'annual.sign-off': 'Annual review signed off',
};

/**
 * An entry in words: an applied change request that stands for a page's edit says which
 * ("Approved filtering change applied: Acceptable-use table changed").
 */
export function changeEntryWords(entry: { action: string; details?: unknown }): string {
  const words = CHANGE_WORDS[entry.action] ?? entry.action;
  const details = entry.details as { action?: unknown } | null | undefined;
  if (entry.action === 'change.apply' && typeof details?.action === 'string') return `${words}: ${CHANGE_WORDS[details.action] ?? details.action}`;
  return words;
}
