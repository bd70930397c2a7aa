// One incident as a document for the filtering provider, the local authority or the police, pure:
// a self-contained HTML page laid out like the paper log (screenshots embedded, each with the
// SHA-256 the timeline recorded), or JSON with the whole timeline. It returns { fileName,
// mediaType, body } so the reports' export seal (audit chain hashes, passphrase encryption) can
// wrap it like any other export.
import { OUTCOME_LABELS, type Incident, type IncidentEntry } from './incident-schema.ts';

export type IncidentExportFormat = 'html' | 'json';

export interface IncidentExport {
  fileName: string;
  mediaType: string;
  body: string;
}

export interface ExportContext {
  school: string;
  timezone: string;
  exportedBy: string;
  exportedAt: Date;
  /** Each attachment's bytes by the entry that recorded it (the HTML embeds them). */
  images?: ReadonlyMap<number, Uint8Array>;
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function when(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}

/** What a timeline entry says, in a line or two of plain text. */
export function entryText(incident: Incident, entry: IncidentEntry): string {
  const b = entry.body as Record<string, unknown>;
  switch (entry.kind) {
    case 'opened': return `Opened (${incident.source === 'hand' ? 'by hand' : `from ${incident.source}`}): ${String(b.what)}`;
    case 'note': return `Investigation: ${String(b.text)}`;
    case 'action': return `Action${b.itProvider ? ' for the IT provider' : ''}: ${String(b.what)} (by ${String(b.by)})`;
    case 'task-done': return `IT-provider task ${String(b.action)} done${b.note ? `: ${String(b.note)}` : ''}`;
    case 'outcome': return `Outcome: ${OUTCOME_LABELS[b.outcome as keyof typeof OUTCOME_LABELS]}${b.note ? ` (${String(b.note)})` : ''}`;
    case 'attachment': return `Attachment: ${String(b.description)} (${String(b.fileName)}, SHA-256 ${String(b.sha256)})`;
    case 'sign-off': return `Signed off${b.note ? `: ${String(b.note)}` : ''}`;
    case 'correction': return `Correction of entry ${String(b.corrects)}: ${String(b.text)} (why: ${String(b.reason)})`;
  }
}

export function exportIncident(incident: Incident, format: IncidentExportFormat, context: ExportContext): IncidentExport {
  const stamp = context.exportedAt.toISOString().slice(0, 10);
  const base = `incident-${incident.id}-${stamp}`;
  if (format === 'json') {
    const document = { school: context.school, exportedAt: context.exportedAt.toISOString(), exportedBy: context.exportedBy, incident };
    return { fileName: `${base}.json`, mediaType: 'application/json', body: `${JSON.stringify(document, null, 2)}\n` };
  }
  return { fileName: `${base}.html`, mediaType: 'text/html; charset=utf-8', body: html(incident, context) };
}

function html(incident: Incident, c: ExportContext): string {
  const t = (iso: string) => escape(when(iso, c.timezone));
  const row = (label: string, value: string) => `<tr><th scope="row">${escape(label)}</th><td>${value}</td></tr>`;
  const para = (text: string) => escape(text).replace(/\n/g, '<br>');
  const linked = incident.alert
    ? `Alert ${incident.alert.id}: ${escape(incident.alert.reason)} (${escape(incident.alert.severity)}, ${escape(incident.alert.kind)}; device ${escape(incident.alert.device ?? 'unknown')}, network ${escape(incident.alert.networkId ?? '-')}; ${incident.alert.count} time${incident.alert.count === 1 ? '' : 's'}, first ${t(incident.alert.firstAt)})`
    : '';
  const report = incident.report
    ? `Block-page report ${incident.report.id}: ${escape(incident.report.name ?? 'an address on a restricted list')}, ${escape(incident.report.kind.replace(/-/g, ' '))}${incident.report.comment ? `, "${escape(incident.report.comment)}"` : ''} (device ${escape(incident.report.mac ?? incident.report.address)}, network ${escape(incident.report.networkId)})`
    : '';
  const actions = incident.actions.length === 0 ? '<p>None recorded.</p>' : `<table><thead><tr><th>When</th><th>What</th><th>By whom</th><th>IT provider</th></tr></thead><tbody>${
    incident.actions.map((a) => `<tr><td>${t(a.at)}</td><td>${para(a.what)}</td><td>${escape(a.by)}</td><td>${a.task === null ? '-' : a.task.status === 'done' ? `done ${t(a.task.doneAt!)} by ${escape(a.task.doneBy!)}${a.task.note ? `: ${escape(a.task.note)}` : ''}` : 'open'}</td></tr>`).join('')
  }</tbody></table>`;
  const attachments = incident.attachments.map((a) => {
    const bytes = c.images?.get(a.entry);
    if (!a.mediaType.startsWith('image/')) {
      return `<figure><p>Evidence file (CSV), kept on the gateway: download it from the incident's page.</p><figcaption>${escape(a.description)}: ${escape(a.fileName)}, ${a.bytes} bytes, attached ${t(a.at)} by ${escape(a.by)}<br>SHA-256 <code>${a.sha256}</code></figcaption></figure>`;
    }
    const image = bytes ? `<img src="data:${a.mediaType};base64,${Buffer.from(bytes).toString('base64')}" alt="${escape(a.description)}">` : '<p>(file not included)</p>';
    return `<figure>${image}<figcaption>${escape(a.description)}: ${escape(a.fileName)}, ${a.bytes} bytes, attached ${t(a.at)} by ${escape(a.by)}<br>SHA-256 <code>${a.sha256}</code></figcaption></figure>`;
  }).join('');
  const timeline = incident.timeline.map((e) => `<tr><td>${e.id}</td><td>${t(e.at)}</td><td>${escape(e.by)}</td><td>${para(entryText(incident, e))}${e.correctedBy.length ? ` <em>(corrected by entry ${e.correctedBy.join(', ')})</em>` : ''}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Incident ${incident.id}, ${escape(c.school)}</title>
<style>
body{font:11pt/1.45 system-ui,sans-serif;color:#111;max-width:52rem;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.4rem;margin:0}h2{font-size:1.1rem;border-bottom:1px solid #999;margin-top:1.5rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .45rem;text-align:left;vertical-align:top}
th[scope=row]{width:12rem;background:#f2f2f2}img{max-width:100%;border:1px solid #999}figure{margin:1rem 0;break-inside:avoid}
code{font-size:.85em;word-break:break-all}.meta{color:#444}
</style></head><body>
<h1>Incident ${incident.id}: ${escape(c.school)}</h1>
<p class="meta">Exported ${t(c.exportedAt.toISOString())} by ${escape(c.exportedBy)} from the school's incident log. Times are ${escape(c.timezone)}.</p>
<h2>The incident</h2><table><tbody>
${row('Date and time', t(incident.occurredAt))}
${row('What happened', para(incident.what))}
${row('People involved', incident.people ? para(incident.people) : 'None named')}
${row('Reported by', escape(incident.reportedBy))}
${row('Opened', `${t(incident.openedAt)} by ${escape(incident.openedBy)}`)}
${linked ? row('Linked alert', linked) : ''}
${report ? row('Linked report', report) : ''}
${row('Status', incident.status === 'closed' ? 'Closed (signed off)' : 'Open')}
</tbody></table>
<h2>Investigation</h2>${incident.notes.length === 0 ? '<p>None recorded.</p>' : incident.notes.map((n) => `<p>${para(n.text)}<br><span class="meta">${t(n.at)}, ${escape(n.by)}</span></p>`).join('')}
<h2>Actions</h2>${actions}
<h2>Outcome</h2><p>${incident.outcome ? `${escape(OUTCOME_LABELS[incident.outcome.outcome])}${incident.outcome.note ? `: ${para(incident.outcome.note)}` : ''}<br><span class="meta">${t(incident.outcome.at)}, ${escape(incident.outcome.by)}</span>` : 'Not yet recorded.'}</p>
<h2>Sign-off</h2><p>${incident.signOff ? `Signed off by ${escape(incident.signOff.by)}, ${t(incident.signOff.at)}${incident.signOff.note ? `: ${para(incident.signOff.note)}` : ''}` : 'Not signed off.'}</p>
<h2>Attachments</h2>${attachments || '<p>None.</p>'}
<h2>Timeline</h2><p class="meta">Every entry as recorded, oldest first; nothing is removed, a correction is a later entry.</p>
<table><thead><tr><th>#</th><th>When</th><th>Who</th><th>Entry</th></tr></thead><tbody>${timeline}</tbody></table>
</body></html>
`;
}
