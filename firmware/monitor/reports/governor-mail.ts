// Sends the governor report by e-mail through the alerts' relay (alerts.email): an HTML body with
// a plain-text part, one message per recipient so each gets their own outcome, and one audit
// entry per sending naming the span, the addresses and what failed.
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import type { AlertEmail } from '../../config/alerts-schema.ts';
import type { ReportsSettings } from '../../config/reports-schema.ts';
import type { AuditLog } from '../../control/audit.ts';
import type { AccountRow } from '../../state/accounts.ts';
import { permissionsOf } from '../../admin/roles.ts';
import { smtpOptions } from '../alerts/delivery/email.ts';
import { readSecretFile } from '../alerts/delivery/secret-file.ts';
import { governorReportHtml, governorReportText } from './governor-html.ts';
import type { GovernorReport, GovernorSendResult } from './report-schema.ts';

/** Who receives it: active accounts holding reports.anonymised with an address, then the listed ones; each address once. */
export function governorRecipients(accounts: readonly Pick<AccountRow, 'email' | 'roles' | 'disabled'>[], settings: ReportsSettings['governor']): string[] {
  const out = new Set<string>();
  if (settings?.toRoleHolders !== false) {
    for (const a of accounts) {
      if (!a.disabled && a.email && permissionsOf(a.roles).has('reports.anonymised')) out.add(a.email.toLowerCase());
    }
  }
  for (const address of settings?.recipients ?? []) out.add(address.toLowerCase());
  return [...out];
}

export interface GovernorMailDeps {
  email: () => AlertEmail | undefined;
  dataDir: string;
  audit: Pick<AuditLog, 'append'>;
  /** Certificates to trust besides the system's (a test's throwaway relay). */
  ca?: string;
}

type Mailer = { sendMail(mail: Record<string, unknown>): Promise<unknown>; close(): void };

export async function sendGovernorReport(deps: GovernorMailDeps, report: GovernorReport, recipients: readonly string[], actor: string): Promise<GovernorSendResult> {
  const email = deps.email();
  const result: GovernorSendResult = { relay: email !== undefined, sent: [], failed: [], span: report.span };
  if (email === undefined) {
    result.failed = recipients.map((to) => ({ to, error: 'no e-mail relay is configured (alerts.email)' }));
  } else if (recipients.length > 0) {
    const password = email.passwordFile === undefined ? undefined : await readSecretFile(email.passwordFile, deps.dataDir, 'SMTP password (alerts.email.passwordFile)');
    const options: SMTPTransportOptions = smtpOptions({ email, password, ...(deps.ca !== undefined ? { ca: deps.ca } : {}) });
    const { createTransport } = await import('nodemailer');
    const mailer = createTransport(options) as unknown as Mailer;
    const html = governorReportHtml(report);
    const text = governorReportText(report);
    try {
      for (const to of recipients) {
        try {
          await mailer.sendMail({
            from: email.from, to, subject: `${report.site}: filtering and monitoring report, ${report.span.from} to ${report.span.to}`,
            text, html, headers: { 'Auto-Submitted': 'auto-generated' },
          });
          result.sent.push(to);
        } catch (err) {
          result.failed.push({ to, error: (err as Error).message });
        }
      }
    } finally {
      mailer.close();
    }
  }
  deps.audit.append({
    actor, action: 'report.governor.send',
    details: { from: report.span.from, to: report.span.to, sent: result.sent, failed: result.failed, recipients: recipients.length },
  });
  return result;
}
