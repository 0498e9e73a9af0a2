/**
 * The self-signed certificate used when no tls.cert/tls.key is configured: made once for
 * config.hostname and kept in <data_dir>/tls/{cert,key}.pem; made again when it nears expiry
 * or no longer names the configured hostname.
 */
import { generateKeyPair, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { generate } from 'selfsigned';
import type { Config } from '../config/schema.js';
import { readPem, TlsConfigError, type PemPair } from './pem.js';

/** Apple platforms refuse server certificates valid for longer than 825 days */
const SELF_SIGNED_DAYS = 825;
const RENEW_BEFORE_MS = 30 * 86400_000;

/** makes a self-signed RSA certificate for hostname (RSA for the widest mail-client support) */
export async function makeSelfSigned(hostname: string, days = SELF_SIGNED_DAYS): Promise<PemPair> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  // an IP address as hostname goes into an IP entry; DNS entries must be names
  const names = new Set([...(isIP(hostname) ? [] : [hostname]), 'localhost']);
  const ips = new Set([...(isIP(hostname) ? [hostname] : []), '127.0.0.1', '::1']);
  const notBefore = new Date(Date.now() - 3600_000);
  const result = await generate([{ name: 'commonName', value: hostname }], {
    keyPair: { privateKey, publicKey },
    keyType: 'rsa',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(notBefore.getTime() + days * 86400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...[...names].map((value) => ({ type: 2 as const, value })), ...[...ips].map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { cert: result.cert, key: privateKey };
}

/** why an existing self-signed certificate must be replaced, or null when it is still good */
function staleReason(certPem: string, hostname: string): string | null {
  try {
    const x = new X509Certificate(certPem);
    if (Date.parse(x.validTo) - Date.now() < RENEW_BEFORE_MS) return `it expires on ${x.validTo}`;
    if (!(isIP(hostname) ? x.checkIP(hostname) : x.checkHost(hostname))) return `it does not name the configured hostname ${hostname}`;
    return null;
  } catch (err) {
    return `it cannot be parsed (${(err as Error).message})`;
  }
}

export async function selfSignedCertificate(config: Config, log: Logger): Promise<PemPair> {
  const dir = join(config.data_dir, 'tls');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const pem = { cert: readPem(certPath, 'self-signed certificate'), key: readPem(keyPath, 'self-signed key') };
    const stale = staleReason(pem.cert, config.hostname);
    if (!stale) {
      log.warn(
        { cert: resolve(certPath) },
        `using the self-signed certificate in ${resolve(dir)}; clients will warn about it. ` +
          'Set tls.cert and tls.key in the configuration to use a real certificate.',
      );
      return pem;
    }
    log.warn({ cert: resolve(certPath) }, `replacing the self-signed certificate in ${resolve(dir)}: ${stale}`);
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new TlsConfigError(`cannot create ${resolve(dir)} for the self-signed certificate (data_dir): ${(err as Error).message}`);
  }
  const pem = await makeSelfSigned(config.hostname);
  // write-then-rename so a concurrent start never reads half a file
  const tmp = `.${process.pid}.tmp`;
  try {
    writeFileSync(keyPath + tmp, pem.key, { mode: 0o600 });
    writeFileSync(certPath + tmp, pem.cert, { mode: 0o644 });
    renameSync(keyPath + tmp, keyPath);
    renameSync(certPath + tmp, certPath);
  } catch (err) {
    throw new TlsConfigError(`cannot store the self-signed certificate in ${resolve(dir)} (data_dir): ${(err as Error).message}`);
  }
  log.warn(
    { cert: resolve(certPath) },
    `created a self-signed certificate for ${config.hostname} in ${resolve(dir)}; clients will warn about it. ` +
      'Set tls.cert and tls.key (PEM paths) in the configuration to use a real certificate.',
  );
  return pem;
}
