/** PEM certificate files: reading and validating a certificate/key pair with errors that name the config key. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tls from 'node:tls';

export const MIN_TLS_VERSION: tls.SecureVersion = 'TLSv1.2';

export interface PemPair {
  cert: string;
  key: string;
}

export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

export function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new TlsConfigError(`cannot read ${what} file ${resolve(path)}: ${(err as Error).message}`);
  }
}

/** loads a configured pair and checks that node accepts it, naming the config keys on failure */
export function loadPair(certPath: string, keyPath: string, where: string): { pem: PemPair; context: tls.SecureContext } {
  const pem = { cert: readPem(certPath, `${where}.cert`), key: readPem(keyPath, `${where}.key`) };
  try {
    return { pem, context: tls.createSecureContext({ ...pem, minVersion: MIN_TLS_VERSION }) };
  } catch (err) {
    throw new TlsConfigError(
      `${where}.cert (${resolve(certPath)}) and ${where}.key (${resolve(keyPath)}) are not a usable PEM certificate ` +
        `chain and private key: ${(err as Error).message}`,
    );
  }
}
