// Signing out ends the session on the server first; the page then forgets it either way.
import { useEffect } from 'preact/hooks';
import { useApp } from '../context.ts';

export function SignOutPage() {
  const { api, setSession, navigate } = useApp();
  useEffect(() => {
    void api.delete('/api/session').catch(() => undefined).then(() => {
      setSession(null);
      navigate('/sign-in', { replace: true, flash: { kind: 'success', text: 'You have signed out.' } });
    });
  }, []);
  return <p role="status">Signing out…</p>;
}
