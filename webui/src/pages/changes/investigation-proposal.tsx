// An investigation request as its approvers read it before agreeing: which device, the policy it
// would have meanwhile (by name; illegal content stays blocked), until when, and the incident it
// serves. Names come from the devices and policies pages' answers; without them, the ids.
import type { DevicesPage } from '../../../../firmware/admin/api/devices-schema.ts';
import type { AupTables } from '../../../../firmware/admin/api/policy-schema.ts';
import type { InvestigationProposal } from '../../../../firmware/admin/api/investigations-schema.ts';
import { Link } from '../../components/link.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import { when } from '../admin-format.ts';
import { deviceWords, REDUCED_FILTERING_HINT } from '../incidents/investigation-words.ts';

export function InvestigationProposalView({ proposal: p, timezone }: { proposal: InvestigationProposal; timezone: string }) {
  const { session } = useApp();
  const mayReadLog = session?.permissions.includes('monitoring.view') ?? false;
  const devices = useLoaded<DevicesPage>('/api/devices', null);
  const policies = useLoaded<AupTables>('/api/policies', null);
  const device = devices.data?.devices.find((d) => d.mac === p.device);
  const policy = policies.data?.policies.find((x) => x.id === p.policy);
  return (
    <section class="card" aria-labelledby="investigation-h">
      <h2 id="investigation-h">The investigation</h2>
      <table class="log-table">
        <tbody>
          <tr><th scope="row">Device</th><td>{deviceWords(p.device, device?.name || device?.hostname)}</td></tr>
          <tr><th scope="row">Policy meanwhile</th><td>{policy?.name ?? p.policy}<br /><span class="muted">{REDUCED_FILTERING_HINT}</span></td></tr>
          <tr><th scope="row">Until</th><td>{when(p.until, timezone)}<span class="muted">, or sooner if the headteacher or the DSL ends it. Every name the device looks up meanwhile is kept as evidence on the incident.</span></td></tr>
          {/* Only those who read the incident log get the link; an approver without it sees the number. */}
          <tr><th scope="row">Incident</th><td>{mayReadLog ? <Link href={`/incidents/incident?id=${p.incidentId}`}>Incident {p.incidentId}</Link> : `Incident ${p.incidentId}`}</td></tr>
        </tbody>
      </table>
    </section>
  );
}
