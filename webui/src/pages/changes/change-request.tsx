// One change request as the approvers and the IT provider read it: what it changes (the summary
// and, for a page's edit, every value before and after), why, the benefit against the risk, who
// asked and when, the approvals, the time to decision and how it ended, then its whole timeline
// with names; an investigation's device, policy, end and incident (investigation-proposal.tsx).
// Below, only the buttons this account may press (change-actions.tsx).
import { useState } from 'preact/hooks';
import type { ChangeRequestPage, ChangeStep } from '../../../../firmware/admin/api/changes-schema.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Link } from '../../components/link.tsx';
import { Notice } from '../../components/notice.tsx';
import { useLoaded } from '../../components/use-loaded.ts';
import { useApp } from '../../context.ts';
import { when } from '../admin-format.ts';
import { who } from '../people.ts';
import '../../styles/incidents.css';
import { ChangeActions } from './change-actions.tsx';
import { SENIOR_APPROVERS_WORDS } from '../incidents/investigation-words.ts';
import { InvestigationProposalView } from './investigation-proposal.tsx';
import './changes.css';
import { duration, editValue, param, referenceWords, STATUS_WORDS, STEP_WORDS } from './words.ts';

export function ChangeRequestPageView({ search }: { search: string }) {
  const id = Number(param(search, 'id'));
  if (!Number.isInteger(id) || id < 1) return <p>Choose a request from <Link href="/changes">the change requests</Link>.</p>;
  return <OneRequest id={id} />;
}

function OneRequest({ id }: { id: number }) {
  const { session } = useApp();
  const tz = session?.site.timezone ?? 'Europe/London';
  const { data, error, reload } = useLoaded<ChangeRequestPage>(`/api/changes/${id}`);
  const [done, setDone] = useState<{ page: ChangeRequestPage; message: string } | null>(null);
  // What a step just answered shows at once; a later load with more steps takes over.
  const page = done !== null && (data === null || done.page.request.steps.length >= data.request.steps.length) ? done.page : data;
  if (page === null) return error === null ? <p role="status">Loading…</p> : <Notice kind="error">{`Could not load change request ${id}: ${error}`}</Notice>;
  const { request: r, names } = page;
  const name = (actor: string) => who(actor, names[actor]);
  const t = (iso: string) => when(iso, tz);
  const ref = (step: ChangeStep) => referenceWords(step, r.proposal.kind);
  const ended = r.steps.find((s) => s.kind === 'applied' || s.kind === 'sent-upstream' || s.kind === 'declined' || s.kind === 'withdrawn');
  return (
    <>
      <Notice kind="error">{error === null ? null : `Could not refresh the request: ${error}`}</Notice>
      <Notice kind="success">{done?.message ?? null}</Notice>
      <p class="no-print"><Link href="/changes">All change requests</Link></p>
      <section class="card paper-log" aria-labelledby="request-h">
        <h2 id="request-h">Change request {r.id} <span class={`change-status status-${r.status}`}>{STATUS_WORDS[r.status]}</span></h2>
        <table class="log-table">
          <tbody>
            <tr><th scope="row">What it changes</th><td>
              <ul class="plain-list change-summary">{r.summary.map((line, i) => <li key={i} class="prose">{line}</li>)}</ul>
            </td></tr>
            {r.proposal.kind === 'exception' && r.proposal.devices !== undefined ? (
              <tr><th scope="row">Only for {r.proposal.devices.length === 1 ? 'the device' : 'the devices'}</th><td>
                <ul class="plain-list">{r.proposal.devices.map((mac) => <li key={mac}><code class="mac">{mac}</code></li>)}</ul>
              </td></tr>
            ) : null}
            <tr><th scope="row">Why</th><td class="prose">{r.rationale}</td></tr>
            <tr><th scope="row">Benefit against risk</th><td class="prose">{r.riskNote}</td></tr>
            <tr><th scope="row">Asked by</th><td>{name(r.requestedBy)}, {t(r.requestedAt)}{r.fromAlert !== null ? <><br /><span class="muted">From the weekly review: the outcome for alert {r.fromAlert} was a false positive.</span></> : null}</td></tr>
            <tr><th scope="row">Who must agree</th><td>{r.proposal.kind === 'investigation'
              ? <><strong>{SENIOR_APPROVERS_WORDS.charAt(0).toUpperCase()}{SENIOR_APPROVERS_WORDS.slice(1)}</strong>, two different people, neither of them the person who asked: an investigation reduces a device's filtering.</>
              : r.needsHead
              ? <>Two other people with approval rights, <strong>the headteacher among them</strong>: {r.proposal.kind === 'config'
                ? 'a policy\'s table decides who it applies to.' : r.proposal.kind === 'exception' && r.proposal.devices !== undefined
                  ? 'the headteacher approves an exception for a single device.' : r.proposal.kind === 'device-group'
                    ? 'the device is not on a staff network.' : 'this change reaches pupils (or networks that are not staff networks).'}</>
              : 'Two other people with approval rights.'}</td></tr>
            <tr><th scope="row">Approvals</th><td>{r.approvals.length === 0 ? <span class="muted">None yet</span> : (
              <ol class="plain-list">{r.approvals.map((a) => (
                <li key={a.by}>{name(a.by)}{a.head ? ' (headteacher)' : ''}, {t(a.at)}{a.note ? <>: <span class="prose">{a.note}</span></> : null}</li>
              ))}</ol>
            )}</td></tr>
            <tr><th scope="row">Decision</th><td>{r.decidedAt === null ? <span class="muted">Not decided yet</span> : (
              <>{r.status === 'declined' ? 'Declined' : 'Approved'} {t(r.decidedAt)}{r.decisionSeconds !== null ? <>; time to decision <strong>{duration(r.decisionSeconds)}</strong></> : null}</>
            )}</td></tr>
            {ended !== undefined && ended.kind !== 'declined' ? (
              <tr><th scope="row">Outcome</th><td>{STEP_WORDS[ended.kind]} by {name(ended.by)}, {t(ended.at)}{ended.reference ? <> ({ref(ended).what} <span class="mono">{ref(ended).reference}</span>)</> : null}{ended.note ? <>: <span class="prose">{ended.note}</span></> : null}</td></tr>
            ) : null}
          </tbody>
        </table>
      </section>

      {r.proposal.kind === 'investigation' ? <InvestigationProposalView proposal={r.proposal} timezone={tz} /> : null}

      {r.proposal.kind === 'config' ? (
        <section class="card" aria-labelledby="edits-h">
          <h2 id="edits-h">Every value it changes</h2>
          <p class="muted">As the configuration names them. Applying refuses if any value is no longer what it was when this was asked for.</p>
          <DataTable
            id="change-edits"
            caption={`${r.proposal.edits.length} ${r.proposal.edits.length === 1 ? 'value' : 'values'} in ${r.proposal.subject}`}
            rows={r.proposal.edits}
            rowKey={(e) => e.path}
            stack
            empty="No values."
            columns={[
              { key: 'path', label: 'Setting', value: (e) => e.path, render: (e) => <span class="mono">{e.path}</span> },
              { key: 'before', label: 'Was', value: (e) => editValue(e.before), sortable: false, render: (e) => <span class="mono">{editValue(e.before)}</span> },
              { key: 'after', label: 'Becomes', value: (e) => editValue(e.after), sortable: false, render: (e) => <span class="mono">{editValue(e.after)}</span> },
            ]}
          />
        </section>
      ) : null}

      <section class="card" aria-labelledby="steps-h">
        <h2 id="steps-h">Timeline</h2>
        <ol class="timeline">
          <li><span class="timeline-when">{t(r.requestedAt)}</span> <span class="muted">{name(r.requestedBy)}</span><p>Asked for it</p></li>
          {r.steps.map((s) => (
            <li key={s.id}>
              <span class="timeline-when">{t(s.at)}</span> <span class="muted">{name(s.by)}</span>
              <p class="prose">{STEP_WORDS[s.kind]}{s.reference ? ` (${ref(s).what} ${ref(s).reference})` : ''}{s.note ? `: ${s.note}` : ''}</p>
            </li>
          ))}
        </ol>
      </section>

      {page.waitingOn !== null ? <Notice kind="info">You cannot approve this one: {page.waitingOn}.</Notice> : null}
      <ChangeActions page={page} onDone={(next, message) => { setDone({ page: next, message }); void reload(); }} />
    </>
  );
}
