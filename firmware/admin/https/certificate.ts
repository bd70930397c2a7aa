// The admin UI's certificate: ECDSA P-256, self-signed, made at first start for the gateway's
// admin addresses and its hostname, kept in DATA_DIR/tls/. node:crypto makes keys but cannot
// write X.509, so Debian's `openssl` command signs it. Staff compare the SHA-256 fingerprint
// `schoolgate status` prints with the browser's before trusting it.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface CertificateNames {
  hostname: string;
  addresses: readonly string[];
}

export interface AdminCertificate {
  key: string;
  cert: string;
  /** SHA-256 of the DER certificate, colon-separated hex, as browsers show it. */
  fingerprint: string;
  /** True when made during this call (first start, or the names changed). */
  made: boolean;
}

/** The subjectAltName openssl is given, and X509Certificate reports back in the same form. */
export function subjectAltName(names: CertificateNames): string {
  return [`DNS:${names.hostname}`, ...names.addresses.map((a) => `IP Address:${a}`)].join(', ');
}

/** Runs openssl; a parameter so tests can count calls and a missing openssl is named. */
export type OpensslRunner = (args: readonly string[]) => Promise<void>;

export const openssl: OpensslRunner = async (args) => {
  try {
    await execFileAsync('openssl', [...args], { timeout: 30_000 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('the openssl command is missing (Debian package openssl): it makes the admin UI\'s certificate');
    throw new Error(`openssl could not make the admin certificate: ${(e.stderr ?? e.message).trim()}`);
  }
};

/**
 * The stored certificate if it names exactly these addresses and hostname; otherwise a new one
 * (an address changed: browsers would refuse the old one anyway). Valid ten years: it is pinned
 * by fingerprint, not by a CA, and a school should not meet a lapsed certificate mid-term.
 */
export async function ensureCertificate(dir: string, names: CertificateNames, run: OpensslRunner = openssl): Promise<AdminCertificate> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'admin-key.pem');
  const certFile = join(dir, 'admin-cert.pem');
  const wanted = subjectAltName(names);
  const existing = await readPair(keyFile, certFile);
  if (existing && new X509Certificate(existing.cert).subjectAltName === wanted) {
    return { ...existing, fingerprint: new X509Certificate(existing.cert).fingerprint256, made: false };
  }
  const san = [`DNS:${names.hostname}`, ...names.addresses.map((a) => `IP:${a}`)].join(',');
  const newKey = `${keyFile}.new`;
  const newCert = `${certFile}.new`;
  try {
    await run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-sha256', '-nodes',
      '-keyout', newKey, '-out', newCert, '-days', '3650', '-subj', `/CN=${names.hostname}/O=Schoolgate`,
      '-addext', `subjectAltName=${san}`, '-addext', 'extendedKeyUsage=serverAuth', '-addext', 'basicConstraints=critical,CA:FALSE']);
    // The pair replaces the old one only once both files are whole.
    await rename(newKey, keyFile);
    await rename(newCert, certFile);
  } finally {
    await rm(newKey, { force: true });
    await rm(newCert, { force: true });
  }
  const made = await readPair(keyFile, certFile);
  if (!made) throw new Error(`openssl did not leave a certificate in ${dir}`);
  return { ...made, fingerprint: new X509Certificate(made.cert).fingerprint256, made: true };
}

async function readPair(keyFile: string, certFile: string): Promise<{ key: string; cert: string } | undefined> {
  try {
    return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
