// The names behind the `account:` actors of some records (ActorNames), read from the accounts
// table when a page asks: a renamed account shows its new name on old records too.
import type { AccountRepository } from '../state/accounts.ts';
import type { ActorNames } from './api/actor-names-schema.ts';

export function actorNames(accounts: Pick<AccountRepository, 'byUsername'>, actors: Iterable<string | undefined>): ActorNames {
  const names: ActorNames = {};
  for (const actor of actors) {
    if (actor === undefined || !actor.startsWith('account:') || actor in names) continue;
    const account = accounts.byUsername(actor.slice('account:'.length));
    if (account !== undefined) names[actor] = account.displayName;
  }
  return names;
}
