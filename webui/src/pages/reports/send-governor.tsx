// "Send the governor report now", for those who answer for the monitoring (monitoring.review: the
// headteacher, the DSL, the online-safety lead; the server checks it): the same sending as the
// schedule's, to the same recipients, audited as the account. The result stays beside the button:
// who it reached, or why it reached no one.
import { useState } from 'preact/hooks';
import type { GovernorSendParams, GovernorSendResult } from '../../../../firmware/admin/api/reports-schema.ts';
import { Button } from '../../components/button.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { useApp } from '../../context.ts';
import { errorsOf } from '../admin-format.ts';

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

function outcome(r: GovernorSendResult): { ok: boolean; text: string } {
  const days = `${r.span.from} to ${r.span.to}`;
  if (!r.relay) return { ok: false, text: `Not sent: no e-mail relay is configured (alerts.email). The technician sets one up; until then the report can be printed from this page.` };
  if (r.sent.length === 0 && r.failed.length === 0) {
    return { ok: false, text: 'Not sent: there is no one to send it to. Give the governors\' accounts an e-mail address, or list recipients in the reports settings.' };
  }
  const sent = r.sent.length === 0 ? '' : `The report for ${days} was sent to ${plural(r.sent.length, 'recipient')}: ${r.sent.join(', ')}.`;
  const failed = r.failed.length === 0 ? '' : ` Not sent to ${plural(r.failed.length, 'recipient')}: ${r.failed.map((f) => `${f.to} (${f.error})`).join('; ')}.`;
  return { ok: r.failed.length === 0, text: `${sent}${failed}`.trim() };
}

export function SendGovernorReport({ from, to }: { from: string; to: string }) {
  const { api } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const days = from === '' && to === '' ? 'the 30 days to yesterday' : `${from || '30 days before the last day'} to ${to || 'yesterday'}`;
  const send = async () => {
    setConfirming(false);
    setBusy(true);
    try {
      const body: GovernorSendParams = { ...(from !== '' ? { from } : {}), ...(to !== '' ? { to } : {}) };
      setResult(outcome(await api.post<GovernorSendResult>('/api/reports/governor/send', body)));
    } catch (e) {
      setResult({ ok: false, text: `Not sent: ${errorsOf(e).message}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="send-governor no-print">
      <div class="actions">
        <Button kind="secondary" busy={busy} onClick={() => { setResult(null); setConfirming(true); }}>Send the governor report now</Button>
      </div>
      <p role="status" class={result === null ? 'muted' : result.ok ? 'send-result send-ok' : 'send-result send-failed'}>
        {result === null ? 'E-mails the report to the governors and the listed recipients, as the schedule does. It is recorded in the audit log.' : result.text}
      </p>
      <ConfirmDialog open={confirming} title="Send the governor report now?" confirmLabel="Send it" onConfirm={() => void send()} onCancel={() => setConfirming(false)}>
        <p>The anonymised report for {days} goes by e-mail to every governor account with an address and to the recipients listed in the settings. It names no pupil or device.</p>
      </ConfirmDialog>
    </div>
  );
}
