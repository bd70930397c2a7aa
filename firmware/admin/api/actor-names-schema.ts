// The display names of the accounts a page's records name as actors, sent beside the records so
// the page shows the person ("Lee Evans (lee.tech)", webui/src/pages/people.ts) while the records
// keep the actor as the audit log does.
import { Type, type Static } from 'typebox';

export const ActorNames = Type.Record(Type.String(), Type.String(), {
  description: 'actor ("account:USERNAME") → that account\'s display name; SSH users and the gateway\'s own jobs have none',
});
export type ActorNames = Static<typeof ActorNames>;
