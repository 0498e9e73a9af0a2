/**
 * A certificate authority of a test's own (openssl from Debian): a CA certificate the
 * test trusts and leaf certificates for the names it asks, signed by that CA. Used for
 * outbound TLS verification (MTA-STS, DANE) against local test servers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  /** PEM of the CA certificate (what clients trust) */
  ca: string;
  /** a leaf certificate and key for these DNS names, signed by the CA */
  issue(names: string[]): { cert: string; key: string };
  /** a self-signed certificate (no CA vouches for it) */
  selfSigned(names: string[]): { cert: string; key: string };
  close(): void;
}

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-ca-'));
  const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ossl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=letterbox test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  let n = 0;
  const san = (names: string[]) => 'subjectAltName=' + names.map((x) => `DNS:${x}`).join(',');
  return {
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    issue(names) {
      const id = `leaf${++n}`;
      ossl(['req', ...ec, '-keyout', `${id}.key`, '-out', `${id}.csr`, '-subj', `/CN=${names[0]}`]);
      writeFileSync(join(dir, `${id}.ext`), `${san(names)}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
      ossl(['x509', '-req', '-in', `${id}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${id}.pem`, '-extfile', `${id}.ext`]);
      return { cert: readFileSync(join(dir, `${id}.pem`), 'utf8'), key: readFileSync(join(dir, `${id}.key`), 'utf8') };
    },
    selfSigned(names) {
      const id = `self${++n}`;
      ossl(['req', '-x509', ...ec, '-keyout', `${id}.key`, '-out', `${id}.pem`, '-days', '2', '-subj', `/CN=${names[0]}`, '-addext', san(names)]);
      return { cert: readFileSync(join(dir, `${id}.pem`), 'utf8'), key: readFileSync(join(dir, `${id}.key`), 'utf8') };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
