// The signed-in account: who it is, its roles, two-factor and password, and the ways to change them.
import { Link } from '../components/link.tsx';
import { useApp } from '../context.ts';
import { ROLE_NAMES } from '../validate.ts';
import { when } from './admin-format.ts';

export function AccountPage() {
  const { session } = useApp();
  if (session === null) return null;
  const a = session.account;
  return (
    <>
      <section class="card" aria-labelledby="acct-h">
        <h2 id="acct-h">{a.displayName}</h2>
        <dl class="facts">
          <dt>Username</dt><dd>{a.username}</dd>
          <dt>Roles</dt><dd>{a.roles.length === 0 ? 'none' : a.roles.map((r) => ROLE_NAMES[r]).join(', ')}</dd>
          <dt>Two-factor sign-in</dt><dd>{a.totpEnrolled ? 'on' : a.totpRequired ? 'required, not set up yet' : 'off'}</dd>
          <dt>Last sign-in</dt><dd>{a.lastLoginAt === null ? 'this is the first' : when(a.lastLoginAt, session.site.timezone)}</dd>
          {a.breakGlass ? <><dt>Recovery account</dt><dd>This account can only recover or withdraw access; every use alerts the school.</dd></> : null}
        </dl>
      </section>
      <ul class="link-list">
        <li><Link href="/account/password">Change your password</Link></li>
        <li><Link href="/account/two-factor">{a.totpEnrolled ? 'Set up two-factor sign-in again (a new phone)' : 'Set up two-factor sign-in'}</Link></li>
        <li><Link href="/sign-out">Sign out</Link></li>
      </ul>
    </>
  );
}
