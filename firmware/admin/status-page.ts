// Server-rendered status page. Every value goes through escapeHtml: names in this product come
// from devices and visitors, and the review must show them as inert text, never markup.
import type { DaemonStatus } from '../status.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min ${Math.floor(seconds % 60)} s`;
}

export function renderStatusPage(status: DaemonStatus): string {
  const e = escapeHtml;
  const networks = status.networks.map((n) => `
      <tr data-network="${e(n.id)}">
        <td>${e(n.name)}</td><td>${e(n.kind)}</td><td>${e(n.subnets.join(', '))}</td>
        <td>${e(n.interface)}</td><td>${e(n.policy)}</td><td>${n.enabled ? 'on' : 'off'}</td>
        <td class="num">${status.dns.counters.byNetwork[n.id] ?? 0}</td>
      </tr>`).join('');
  const verdicts = Object.entries(status.dns.counters.byVerdict)
    .map(([verdict, count]) => `<tr><td>${e(verdict)}</td><td class="num">${count}</td></tr>`).join('');
  const listeners = status.dns.listening.map((l) => e(`${l.transport} ${l.address}:${l.port}`)).join('<br>');
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Schoolgate — ${e(status.site)}</title>
<style>
  body { font: 16px/1.45 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f6f7f9; }
  header { background: #183a5a; color: #fff; padding: 1rem 1.5rem; }
  header h1 { margin: 0; font-size: 1.4rem; overflow-wrap: anywhere; }
  main { padding: 1rem 1.5rem; max-width: 70rem; }
  section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 1rem; margin-bottom: 1rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #eceff2; }
  .num { text-align: right; font-variant-numeric: tabular-nums; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
  dt { color: #555; }
  dd { margin: 0; overflow-wrap: anywhere; }
  /* On a phone the seven-column networks table scrolls inside its box, not the whole page. */
  .wide { overflow-x: auto; }
</style>
</head>
<body>
<header><h1>Schoolgate — ${e(status.site)}</h1></header>
<main>
  <section aria-labelledby="gw">
    <h2 id="gw">Gateway</h2>
    <dl>
      <dt>Running for</dt><dd id="uptime">${e(formatUptime(status.uptimeSeconds))}</dd>
      <dt>Version</dt><dd>${e(status.version)} (Node ${e(status.node)})</dd>
      <dt>DNS listening on</dt><dd>${listeners}</dd>
      <dt>Devices known</dt><dd>${status.state.devices}</dd>
      <dt>Audit log entries</dt><dd>${status.state.auditEntries}</dd>
    </dl>
  </section>
  <section aria-labelledby="nets">
    <h2 id="nets">Networks</h2>
    <div class="wide"><table id="networks">
      <thead><tr><th>Network</th><th>Kind</th><th>Subnets</th><th>Interface</th><th>Policy</th><th>Enabled</th><th class="num">DNS questions</th></tr></thead>
      <tbody>${networks}
      </tbody>
    </table></div>
  </section>
  <section aria-labelledby="dns">
    <h2 id="dns">DNS answers since start</h2>
    <table id="verdicts"><thead><tr><th>Verdict</th><th class="num">Questions</th></tr></thead><tbody>${verdicts}</tbody></table>
  </section>
</main>
</body>
</html>
`;
}
