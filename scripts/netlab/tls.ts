// A throwaway certificate authority per lab, so HTTPS to the fake internet is verified for real
// (curl --cacert, Chromium's SPKI allow-list) instead of switched off. EC keys: a few ms each.
import { createHash, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INTERNET } from './addresses.ts';
import { check, exec } from './exec.ts';
import { certificateNames } from './zones.ts';

export interface LabTls {
  /** PEM of the lab CA: `curl --cacert <caFile>`. */
  caFile: string;
  certFile: string;
  keyFile: string;
  /** base64 SHA-256 of the site certificate's public key: Chromium's --ignore-certificate-errors-spki-list. */
  spkiSha256: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export async function createLabTls(dir: string): Promise<LabTls> {
  const caFile = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const certFile = join(dir, 'site.pem');
  const keyFile = join(dir, 'site.key');
  const csr = join(dir, 'site.csr');
  const extFile = join(dir, 'site.ext');
  const sans = [
    ...certificateNames().map((n) => `DNS:${n}`),
    `IP:${INTERNET.web}`, `IP:${INTERNET.web2}`, `IP:${INTERNET.safeSearch}`, `IP:${INTERNET.smtp}`, `IP:${INTERNET.syslog}`,
  ];
  await writeFile(extFile, `subjectAltName=${sans.join(',')}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  const [ca] = await Promise.all([
    exec(['openssl', 'req', '-x509', ...EC, '-subj', '/CN=Schoolgate netlab CA', '-days', '2', '-keyout', caKey, '-out', caFile,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
    exec(['openssl', 'req', '-new', ...EC, '-subj', '/CN=netlab web', '-keyout', keyFile, '-out', csr]).then(check),
  ]);
  check(ca!);
  check(await exec(['openssl', 'x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial',
    '-days', '2', '-extfile', extFile, '-out', certFile]));
  const cert = new X509Certificate(await readFile(certFile));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return { caFile, certFile, keyFile, spkiSha256: createHash('sha256').update(spki).digest('base64') };
}
