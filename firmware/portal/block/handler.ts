// The block page's handler: a request whose Host is a name the asking device's policy blocks now
// gets the page (GET) or has its report or access request stored (POST). The decision is
// `schoolgate check`'s for that device (its network, its group) at that moment: the same code.
import type { Config } from '../../config/schema.ts';
import type { CheckReport } from '../../dns/policy/check-name.ts';
import type { AlertCandidate, AlertSeverity } from '../../monitor/alerts/alert-schema.ts';
import { normaliseListedName } from '../../rules/formats/domain-name.ts';
import type { SurfaceHandler, SurfaceRequest, SurfaceResponse } from '../dispatcher.ts';
import { SECURITY_HEADERS } from '../html.ts';
import type { SlidingWindowLimit } from '../rate-limit.ts';
import type { ReportTokens } from '../report-token.ts';
import type { AccessRequest, NewAccessRequest, NewSiteReport, ReportKind, SiteReport } from '../reports-schema.ts';
import { renderBlockPage, renderRefused, renderSent, REPORT_PATH, REQUEST_PATH } from './render.ts';
import { blockView, type BlockView } from './view.ts';

export interface BlockCheck {
  name: string;
  networkId: string;
  groupId: string | undefined;
  /** The voucher's policy of a guest device signed in with one (ClientInfo.policy). */
  policyId?: string | undefined;
  /** The device's MAC when a lease names it. */
  device?: string | undefined;
  at: number;
}

export interface BlockHandlerDeps {
  config: () => Readonly<Config>;
  /** `schoolgate check` for a device: checkName() over the lists and policy in force. */
  check: (input: BlockCheck) => CheckReport;
  /** A category's title from the shipped catalogue. */
  titleOf: (category: string) => string | undefined;
  /** A category's severity from the shipped catalogue: how urgent a "should be blocked" report of it is. */
  severityOf?: ((category: string) => AlertSeverity | undefined) | undefined;
  tokens: ReportTokens;
  /** Reports and access requests together, per device. */
  limit: SlidingWindowLimit;
  store: {
    addReport(report: NewSiteReport): SiteReport;
    addRequest(request: NewAccessRequest): AccessRequest;
  };
  /** The alert service's raise(); absent, a report is stored only. */
  raise?: ((candidate: AlertCandidate) => void) | undefined;
}

const HTML = { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' };

const KINDS: readonly ReportKind[] = ['should-not-be-blocked', 'should-be-blocked'];

const respond = (status: number, html: string): SurfaceResponse => ({ status, html, headers: HTML });

export function blockPageHandler(deps: BlockHandlerDeps): SurfaceHandler {
  return {
    name: 'block-page',
    handle(request) {
      const client = request.client;
      if (!client) return undefined;
      const normalised = normaliseListedName(request.host);
      if ('error' in normalised) return undefined;
      const name = normalised.name;
      const groupId = client.device?.group;
      const site = deps.config().site.name;
      if (request.method === 'POST' && (request.path === REPORT_PATH || request.path === REQUEST_PATH)) {
        return post(deps, request, name, groupId, site);
      }
      const report = deps.check({ name, networkId: client.network.id, groupId, policyId: client.policy, device: client.device?.id, at: request.now });
      if (report.answer !== 'blocked') return undefined;
      const view = blockView(report, client.network.kind, deps.titleOf);
      const token = deps.tokens.issue({ host: request.host, address: request.source }, request.now);
      // 403: what the device asked for is refused; browsers show the page all the same.
      return respond(403, renderBlockPage(view, site, token));
    },
  };
}

function post(deps: BlockHandlerDeps, request: SurfaceRequest, name: string, groupId: string | undefined, site: string): SurfaceResponse | undefined {
  const client = request.client!;
  const voice = client.network.kind === 'pupil' ? 'pupil' : 'staff';
  const form = request.form ?? {};
  const token = deps.tokens.check(form.token ?? '', { host: request.host, address: request.source }, request.now);
  if (!token.ok) return respond(403, renderRefused(voice, 'stale', site));
  // The page as it was shown: decided for the moment the token was issued.
  const report = deps.check({ name, networkId: client.network.id, groupId, policyId: client.policy, at: token.issuedAt });
  if (report.answer !== 'blocked') return respond(400, renderRefused(voice, 'invalid', site));
  const view = blockView(report, client.network.kind, deps.titleOf);
  const isRequest = request.path === REQUEST_PATH;
  const comment = (form.comment ?? '').trim();
  const reason = (form.reason ?? '').trim();
  const kind = form.kind as ReportKind;
  if (isRequest ? !view.canRequestAccess || reason.length === 0 || reason.length > 500 : !KINDS.includes(kind) || comment.length > 500) {
    return respond(400, renderRefused(voice, 'invalid', site));
  }
  const device = client.device?.id ?? request.source;
  if (!deps.limit.take(device, request.now)) return respond(429, renderRefused(voice, 'limit', site));
  const at = new Date(request.now).toISOString();
  const mac = client.device?.id ?? null;
  if (isRequest) {
    deps.store.addRequest({ at, networkId: client.network.id, mac, address: request.source, name: view.name!, category: view.category, reason });
    return respond(200, renderSent(voice, 'request', site));
  }
  const stored = deps.store.addReport({
    at, blockedAt: new Date(token.issuedAt).toISOString(), networkId: client.network.id, mac, address: request.source,
    name: view.name, category: view.category, verdict: view.restricted ? 'restricted' : 'blocked', kind, comment,
  });
  deps.raise?.(reportCandidate(stored, view, deps.severityOf));
  return respond(200, renderSent(voice, 'report', site));
}

/**
 * How urgent a report is. Only critical alerts are delivered at once (and escalated); the rest are
 * in the alert list at once and wait for the weekly review. A pupil saying a rightly blocked site
 * "should be blocked" is telling the school they met something: for a restricted list or a
 * category the catalogue rates critical (self-harm, extremism, illegal) that is a safeguarding
 * concern, delivered to the DSL at once like the block itself; for the rest it carries the
 * category's own severity into the review. "Should not be blocked" asks for a change to the
 * filtering, decided with a reason through change control, never urgent: it waits for the review.
 */
export function reportSeverity(report: Pick<SiteReport, 'kind' | 'category'>, restricted: boolean, severityOf?: (category: string) => AlertSeverity | undefined): AlertSeverity {
  if (report.kind === 'should-not-be-blocked') return 'medium';
  if (restricted) return 'critical';
  const severity = report.category === null ? undefined : severityOf?.(report.category);
  return severity === 'critical' || severity === 'high' ? severity : 'medium';
}

/** The alert a report raises: for the online-safety lead, and joined to the weekly review. */
export function reportCandidate(report: SiteReport, view: BlockView, severityOf?: (category: string) => AlertSeverity | undefined): AlertCandidate {
  const subject = report.name ?? 'an address on a restricted list';
  const who = view.voice === 'pupil' ? 'A pupil device' : 'A device';
  const what = report.kind === 'should-not-be-blocked' ? 'should not be blocked' : 'should be blocked';
  return {
    kind: 'report.site',
    severity: reportSeverity(report, view.restricted, severityOf),
    at: report.at,
    networkId: report.networkId,
    mac: report.mac,
    address: report.address,
    subject,
    reason: `${who} on network "${report.networkId}" reported from the block page that ${subject} ${what}.`,
    ...(report.category ? { category: report.category } : {}),
    details: { reportId: report.id, kind: report.kind, comment: report.comment, blockedAt: report.blockedAt },
  };
}
