// HTTPS for real on loopback: the certificate openssl makes (ECDSA P-256, the admin addresses and
// hostname), kept and reused, a sign-in over TLS getting a Secure cookie and HSTS, and the redirect
// the port-80 surface will ask about.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureCertificate } from '../../../firmware/admin/https/certificate.ts';
import { adminHttpsRedirect } from '../../../firmware/admin/https/redirect.ts';
import { sniAllowed } from '../../../firmware/admin/https/sni.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { testAdmin } from './admin-app.ts';

describe('the admin certificate', () => {
  it('is made once for the names given, reused while they stand, and made anew when they change', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sg-tls-')), 'tls');
    const first = await ensureCertificate(dir, { hostname: 'schoolgate.local', addresses: ['10.0.10.1', '10.0.99.1'] });
    expect(first.made).toBe(true);
    const x509 = new X509Certificate(first.cert);
    expect(x509.subjectAltName).toBe('DNS:schoolgate.local, IP Address:10.0.10.1, IP Address:10.0.99.1');
    expect(x509.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(x509.checkIssued(x509)).toBe(true);
    expect(first.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const again = await ensureCertificate(dir, { hostname: 'schoolgate.local', addresses: ['10.0.10.1', '10.0.99.1'] }, async () => {
      throw new Error('openssl must not run when the stored certificate fits');
    });
    expect(again).toMatchObject({ made: false, fingerprint: first.fingerprint });
    const changed = await ensureCertificate(dir, { hostname: 'schoolgate.local', addresses: ['10.0.10.1'] });
    expect(changed.made).toBe(true);
    expect(changed.fingerprint).not.toBe(first.fingerprint);
  });

  it('serves the API over TLS with a Secure cookie and HSTS', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sg-tls-')), 'tls');
    const certificate = await ensureCertificate(dir, { hostname: 'schoolgate.local', addresses: ['127.0.0.1'] });
    const t = await testAdmin({ https: true, server: { https: { key: certificate.key, cert: certificate.cert } } });
    try {
      const code = await t.setupCode.issue();
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (t.app.server.address() as AddressInfo).port;
      const origin = `https://127.0.0.1:${port}`;
      const post = (path: string, body: unknown) => new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
        const data = JSON.stringify(body);
        const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca: certificate.cert, headers: { origin, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => { text += c.toString(); });
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
        });
        req.on('error', reject);
        req.end(data);
      });
      const setup = await post('/api/setup', {
        code, site: { name: 'St Mary', timezone: 'Europe/London' },
        accounts: [
          { username: 'jo.head', displayName: 'Jo Head', roles: ['headteacher'], password: 'Heron-Lantern-42' },
          { username: 'sam.dsl', displayName: 'Sam Dsl', roles: ['dsl'], password: 'Quiet-Meadow-Owl-7' },
        ],
      });
      expect(setup.status, setup.body).toBe(200);
      const login = await post('/api/session', { username: 'sam.dsl', password: 'Quiet-Meadow-Owl-7' });
      expect(login.status).toBe(200);
      expect(String(login.headers['set-cookie'])).toMatch(/^schoolgate_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
      expect(login.headers['strict-transport-security']).toBe('max-age=31536000');
    } finally {
      await t.close();
    }
  });
});

describe('the TLS handshake\'s name (SNI)', () => {
  it('matches the gateway\'s names as DNS does, and nothing else', () => {
    const names = ['schoolgate.local', '10.0.10.1'];
    expect(sniAllowed('schoolgate.local', names)).toBe(true);
    expect(sniAllowed('SchoolGate.Local.', names)).toBe(true);
    expect(sniAllowed('10.0.10.1', names)).toBe(true);
    expect(sniAllowed('www.schoolgate.local', names)).toBe(false);
    expect(sniAllowed('schoolgate.local.evil.example', names)).toBe(false);
    expect(sniAllowed('', names)).toBe(false);
  });

  it('completes a handshake for the gateway\'s name or without a name, and refuses any other name before a certificate is sent', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sg-tls-')), 'tls');
    const certificate = await ensureCertificate(dir, { hostname: 'schoolgate.local', addresses: ['127.0.0.1'] });
    const t = await testAdmin({ https: true, hosts: () => ['schoolgate.local', '127.0.0.1'], server: { https: { key: certificate.key, cert: certificate.cert } } });
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (t.app.server.address() as AddressInfo).port;
      // What the handshake gave: the certificate's fingerprint, or the error that ended it.
      const handshake = (servername: string | undefined) => new Promise<{ fingerprint?: string; error?: string }>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, ca: certificate.cert, rejectUnauthorized: false, ...(servername === undefined ? {} : { servername }) }, () => {
          const fingerprint = socket.getPeerX509Certificate()?.fingerprint256;
          socket.end();
          resolve({ fingerprint });
        });
        socket.on('error', (error) => resolve({ error: error.message }));
      });
      expect(await handshake('schoolgate.local')).toEqual({ fingerprint: certificate.fingerprint });
      expect(await handshake('SCHOOLGATE.LOCAL')).toEqual({ fingerprint: certificate.fingerprint });
      // Node sends no SNI for an address, as browsers do not: the Host check judges those.
      expect(await handshake(undefined)).toEqual({ fingerprint: certificate.fingerprint });
      const refused = await handshake('intranet.example');
      expect(refused.fingerprint).toBeUndefined();
      expect(refused.error).toMatch(/before secure TLS connection was established|alert|ECONNRESET/i);
    } finally {
      await t.close();
    }
  });
});

describe('the HTTP to HTTPS redirect', () => {
  const config = defaultConfig();
  config.web.https = { port: 8443 };

  it('sends requests for the admin name or an admin-network address to HTTPS, and nothing else', () => {
    expect(adminHttpsRedirect(config, 'schoolgate.local', '/accounts?x=1')).toBe('https://schoolgate.local:8443/accounts?x=1');
    expect(adminHttpsRedirect(config, '127.10.0.1:80', '/')).toBe('https://127.10.0.1:8443/');
    expect(adminHttpsRedirect(config, '127.10.0.1', '//evil.example/')).toBe('https://127.10.0.1:8443/');
    // The pupil and guest gateways serve the block page and the portal, never the admin UI.
    expect(adminHttpsRedirect(config, '127.20.0.1', '/')).toBeUndefined();
    expect(adminHttpsRedirect(config, '127.30.0.1', '/')).toBeUndefined();
    expect(adminHttpsRedirect(config, 'example.com', '/')).toBeUndefined();
    expect(adminHttpsRedirect({ ...config, web: { admin: config.web.admin } }, 'schoolgate.local', '/')).toBeUndefined();
  });
});
