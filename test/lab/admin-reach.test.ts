// Who can reach the admin UI, with real traffic: Schoolgate in the lab's gateway with its firewall
// on and HTTPS configured (web.https). A staff device gets the admin UI over HTTPS with the
// certificate `schoolgate status` names, and plain HTTP sends it there; pupil and guest devices
// are refused at once on both ports (a reject, not a silent drop a browser would wait on). With
// Schoolgate's table removed the same pupil probe gets in, so the refusal is the ruleset's doing.
// (firewall.test.ts proves the plain listener's side without HTTPS.)
import { describe, expect, test } from 'vitest';
import { ADMIN_PORT, GW_WAN_INTERFACE, schoolNetwork, type LabNs } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT } from '../../scripts/netlab/gateway.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'admin-reach.test' });
const STAFF_GW = schoolNetwork('staff').gateway;
const HTTPS_URL = `https://${STAFF_GW}/healthz`;
/** curl's exit code for a connection refused or unreachable; 28 would be a timeout. */
const CURL_COULD_NOT_CONNECT = 7;

async function curl(ns: LabNs, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return lab().exec(ns, ['curl', '-s', '--max-time', '8', ...args], { timeoutMs: 15_000 });
}

describe('the admin UI from each network, firewall on and HTTPS configured', () => {
  let fingerprint = '';

  test('staff get the admin UI over HTTPS with the certificate schoolgate status shows', async () => {
    const config = lab().gatewayConfig();
    config.firewall = { enabled: true, wanInterface: GW_WAN_INTERFACE };
    config.web.https = {};
    await lab().startGateway(config);
    const status = JSON.parse((await lab().run('gw', [NODE, MAIN, 'status', '--json', '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT })).stdout) as { admin: { https?: { urls: string[]; fingerprint: string } } };
    expect(status.admin.https?.urls).toContain(`https://${STAFF_GW}/`);
    fingerprint = status.admin.https!.fingerprint;
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const shown = await lab().exec('staff', ['sh', '-c', `openssl s_client -connect ${STAFF_GW}:443 -servername schoolgate.local </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256`], { timeoutMs: 15_000 });
    expect(shown.stdout.trim().replace(/^.*Fingerprint=/i, ''), shown.stderr).toBe(fingerprint);
    const health = await curl('staff', ['-k', '-o', '/dev/null', '-w', '%{http_code}', HTTPS_URL]);
    expect(health.stdout, health.stderr).toBe('200');
    // The API answers too, refusing the status without a session.
    const api = await curl('staff', ['-k', '-o', '/dev/null', '-w', '%{http_code}', `https://${STAFF_GW}/api/status`]);
    expect(api.stdout).toBe('401');
  });

  test('plain HTTP on the staff gateway redirects to HTTPS', async () => {
    const r = await curl('staff', ['-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', `http://${STAFF_GW}:${ADMIN_PORT}/status?x=1`]);
    expect(r.stdout, r.stderr).toBe(`308 https://${STAFF_GW}/status?x=1`);
    // Followed, it arrives at the page over HTTPS.
    const followed = await curl('staff', ['-k', '-L', '-o', '/dev/null', '-w', '%{http_code} %{url_effective}', `http://${STAFF_GW}:${ADMIN_PORT}/healthz`]);
    expect(followed.stdout).toBe(`200 https://${STAFF_GW}/healthz`);
  });

  test('pupil and guest devices are refused at once on the HTTPS and HTTP ports', async () => {
    for (const ns of ['pupil', 'guest'] as const) {
      for (const url of [HTTPS_URL, `http://${STAFF_GW}:${ADMIN_PORT}/healthz`, `https://${schoolNetwork(ns).gateway}/healthz`]) {
        const r = await curl(ns, ['-k', '-o', '/dev/null', url]);
        expect(r.code, `${ns} ${url}: ${r.stderr}`).toBe(CURL_COULD_NOT_CONNECT);
      }
    }
  });

  test('with Schoolgate\'s table removed, the same pupil probe reaches the admin UI', async () => {
    await lab().run('gw', ['nft', 'delete', 'table', 'inet', 'schoolgate']);
    const r = await curl('pupil', ['-k', '-o', '/dev/null', '-w', '%{http_code}', HTTPS_URL]);
    expect(r.stdout, r.stderr).toBe('200');
    await lab().stopGateway();
  });
});
