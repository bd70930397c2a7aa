// First-run setup after the accounts: signed in now, the wizard goes on to the networks, the
// upstream resolvers, then the policies (the AUP tables). Every step can be skipped, keeping the
// shipped defaults, and every step is also a page of its own (Networks, Acceptable use) for later.
import { useState } from 'preact/hooks';
import { Button } from '../components/button.tsx';
import { Notice } from '../components/notice.tsx';
import { useApp } from '../context.ts';
import { NetworkList } from './networks/network-list.tsx';
import { UpstreamsForm } from './networks/upstreams-form.tsx';
import { useNetworks } from './networks/use-networks.ts';
import { PoliciesPage } from './policies/policies-page.tsx';

/** Set by the setup page when the accounts are made; the app brings the next sign-in here while it is set. */
export const SETUP_CONTINUES = 'schoolgate.setup-continues';

// The accounts were made in this page's life: the setup state the app read at load (needed) is
// stale from then on, and must not send the move to sign-in back to the setup page.
let accountsMade = false;

/** Called by the setup page once the accounts exist: sign-in comes next, then these steps. */
export function markAccountsMade(): void {
  accountsMade = true;
  try {
    window.sessionStorage.setItem(SETUP_CONTINUES, '1');
  } catch {
    // Private mode: the steps stay reachable from the menu.
  }
}

export function accountsWereMade(): boolean {
  return accountsMade;
}

export function setupContinues(): boolean {
  try {
    return window.sessionStorage.getItem(SETUP_CONTINUES) === '1';
  } catch {
    return false;
  }
}

const STEPS = ['networks', 'upstreams', 'policies'] as const;
type Step = typeof STEPS[number];
const TITLES: Record<Step, string> = { networks: 'the networks', upstreams: 'the upstream resolvers', policies: 'the policies' };

export function SetupContinuePage() {
  const { navigate } = useApp();
  const { view, error, save } = useNetworks();
  const [step, setStep] = useState<Step>('networks');
  const index = STEPS.indexOf(step);
  const finish = () => {
    try { window.sessionStorage.removeItem(SETUP_CONTINUES); } catch { /* private mode: nothing stored */ }
    navigate('/', { replace: true, flash: { kind: 'success', text: 'Setup is finished. Networks and Acceptable use are in the menu whenever they need changing.' } });
  };
  const next = () => (index + 1 < STEPS.length ? setStep(STEPS[index + 1]!) : finish());
  if (error !== null) return <Notice kind="error">Could not load the networks: {error}</Notice>;
  if (view === null) return <p class="loading" role="status">Loading…</p>;
  return (
    <div key={step}>
      <p class="step-count">Setup, continued: step {index + 1} of 3, {TITLES[step]}</p>
      {step === 'networks' ? (
        <>
          <p>These are the networks the gateway serves, as shipped or as the technician configured them: for each, the interface and VLAN it arrives on, its subnet, its Wi-Fi name, its kind and its policy. Change or add one here, or leave them as they are.</p>
          <NetworkList view={view} save={save} />
        </>
      ) : null}
      {step === 'upstreams' ? (
        <UpstreamsForm view={view} submitLabel="Save and go on" onSaved={next}
          save={(body) => save('PUT', '/api/upstreams', body, 'Saved.')} />
      ) : null}
      {step === 'policies' ? (
        <>
          <p>Each network's policy as the school's acceptable-use table. The shipped tables follow the UK schools' guidance; change a row now or later.</p>
          <PoliciesPage />
        </>
      ) : null}
      <div class="actions">
        {index > 0 ? <Button kind="secondary" onClick={() => setStep(STEPS[index - 1]!)}>Back</Button> : null}
        <Button kind={step === 'upstreams' ? 'secondary' : 'primary'} onClick={next}>
          {step === 'policies' ? 'Finish setup' : step === 'upstreams' ? 'Skip: keep the current resolvers' : 'Next: the upstream resolvers'}
        </Button>
      </div>
    </div>
  );
}
