// Who did something, as a person reads it: the one way every page turns an audit actor into words.
//   account:lee.tech  → "Lee Evans (lee.tech)" when the server gives the account's name, else "lee.tech"
//   ssh:lee           → "lee (over SSH)", a technician's command on the box
//   system, system:…  → "the gateway (automatically)", its own scheduled jobs
/** `name`: the account's display name, when the page's API sends it (an actor → name map). */
export function who(actor: string, name?: string | null): string {
  if (actor === 'system' || actor.startsWith('system:')) return 'the gateway (automatically)';
  if (actor.startsWith('ssh:')) return `${actor.slice('ssh:'.length)} (over SSH)`;
  const username = actor.replace(/^account:/, '');
  return name !== undefined && name !== null && name !== '' && name !== username ? `${name} (${username})` : username;
}
