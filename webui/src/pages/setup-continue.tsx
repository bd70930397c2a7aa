// First-run setup after the accounts: the technician, signed in now (system.manage: the server
// refuses this page's data to anyone else), goes on to the school's logo, its term dates, the
// networks, the upstream resolvers, then the policies (the AUP tables). Every step can be skipped,
// keeping what is there, and every step is also part of a page of its own (Settings, Networks,
// Acceptable use) for later.
import { useState } from 'preact/hooks';
import type { SetupContinueView } from '../../../firmware/admin/api/session-schema.ts';
import type { Term } from '../../../firmware/config/schema.ts';
import { Button } from '../components/button.tsx';
import { useFocusFirstError } from '../components/form.ts';
import { Notice } from '../components/notice.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { useApp } from '../context.ts';
import { NetworkList } from './networks/network-list.tsx';
import { TermsFields } from './networks/terms-fields.tsx';
import type { SaveNetworks, SaveOutcome } from './networks/use-networks.ts';
import { LogoForm } from './settings/logo-form.tsx';
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

const STEPS = ['logo', 'terms', 'networks', 'upstreams', 'policies'] as const;
type Step = typeof STEPS[number];
const TITLES: Record<Step, string> = {
  logo: 'the school\'s logo', terms: 'the term dates', networks: 'the networks', upstreams: 'the upstream resolvers', policies: 'the policies',
};
const NEXT: Record<Step, string> = {
  logo: 'Next: the term dates', terms: 'Skip: keep the term dates as they are', networks: 'Next: the upstream resolvers',
  upstreams: 'Skip: keep the current resolvers', policies: 'Finish setup',
};

/** The term dates on their own: saved with PUT /api/terms, then the wizard moves on. */
function TermsStep({ terms: initial, save, onSaved }: { terms: Term[]; save: SaveNetworks; onSaved: () => void }) {
  const [terms, setTerms] = useState<Term[]>(initial);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [attempt, setAttempt] = useState(0);
  const fields = outcome?.fields ?? {};
  const formRef = useFocusFirstError(fields, attempt);
  const submit = async (e: Event) => {
    e.preventDefault();
    const saved = await save('PUT', '/api/terms', { terms }, 'The term dates are saved.');
    if (saved.ok) return onSaved();
    setOutcome(saved);
    setAttempt((a) => a + 1);
  };
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-labelledby="terms-h">
      <h2 id="terms-h">Term dates</h2>
      <p>The school's terms, first and last school day of each. A schedule marked "term time only" (lunchtime streaming, say) is open only inside them, so it closes for the holidays by itself. The technician can change them later on the Networks page.</p>
      <Notice kind="error">{outcome?.message}</Notice>
      <TermsFields terms={terms} setTerms={setTerms} fields={fields} may />
      <div class="actions"><Button type="submit">Save the term dates and go on</Button></div>
    </form>
  );
}

export function SetupContinuePage() {
  const { navigate } = useApp();
  const { view, error, save } = useNetworks();
  const state = useLoaded<SetupContinueView>('/api/setup/continue', null);
  const [logo, setLogo] = useState<SetupContinueView['logo'] | null>(null);
  const [step, setStep] = useState<Step>('logo');
  const index = STEPS.indexOf(step);
  const finish = () => {
    try { window.sessionStorage.removeItem(SETUP_CONTINUES); } catch { /* private mode: nothing stored */ }
    navigate('/', { replace: true, flash: { kind: 'success', text: 'Setup is finished. Settings, Networks and Acceptable use are in the menu whenever they need changing.' } });
  };
  const next = () => (index + 1 < STEPS.length ? setStep(STEPS[index + 1]!) : finish());
  const failed = error ?? state.error;
  if (failed !== null) return <Notice kind="error">Could not load the setup steps: {failed}</Notice>;
  if (view === null || state.data === null) return <p class="loading" role="status">Loading…</p>;
  return (
    <div key={step}>
      <p class="step-count">Setup, continued: step {index + 1} of {STEPS.length}, {TITLES[step]}</p>
      {step === 'logo' ? (
        <>
          <p>The logo shows beside the school's name on these pages, on the page a pupil meets when a site is blocked, and on the visitors' sign-in page. Add it now or later on the Settings page.</p>
          <LogoForm logo={logo ?? state.data.logo} editable onChanged={setLogo} />
        </>
      ) : null}
      {step === 'terms' ? <TermsStep terms={view.terms} save={save} onSaved={next} /> : null}
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
        <Button kind={step === 'upstreams' || step === 'terms' ? 'secondary' : 'primary'} onClick={next}>{NEXT[step]}</Button>
      </div>
    </div>
  );
}
