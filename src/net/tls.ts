/**
 * TLS for every listener (contract: ./types.ts TlsProvider).
 *
 * Certificates, in order of preference:
 *  1. config.tls.cert / config.tls.key — PEM files (./pem.ts);
 *  2. with tls.acme enabled, the certificate ./acme.ts obtained (in <data_dir>/acme), once
 *     there is one; a new one is installed with useCertificate() as soon as it is issued;
 *  3. otherwise a self-signed certificate for config.hostname (./selfsigned.ts), kept in
 *     <data_dir>/tls/{cert,key}.pem (made again when it expires or the hostname changes).
 * config.tls.sni maps further host names to their own certificate, chosen by SNI
 * (exact name first, then "*.example.com" for one leading label; the default otherwise).
 * TLS 1.2 is the minimum version.
 *
 * Configured files are checked for changes every hour (and on reload(), e.g. from SIGHUP),
 * so a renewed certificate (certbot, acme.sh) is used without a restart.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tls from 'node:tls';
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { TlsProvider } from './types.js';
import { loadPair, MIN_TLS_VERSION, TlsConfigError, type PemPair } from './pem.js';
import { selfSignedCertificate } from './selfsigned.js';
import { loadAcmeCertificate } from './acme.js';
import { X509Certificate } from 'node:crypto';

export { MIN_TLS_VERSION, TlsConfigError, type PemPair } from './pem.js';
export { makeSelfSigned } from './selfsigned.js';

export interface TlsProviderOptions {
  /** a STARTTLS handshake that has not finished after this long fails (default 30 s) */
  handshakeTimeoutMs?: number;
  /** how often configured certificate files are checked for changes (default 1 h; 0 = never) */
  reloadCheckMs?: number;
}

/** SNI lookup: exact host name, then a "*.parent" wildcard covering exactly one label */
export function sniLookup<T>(table: ReadonlyMap<string, T>, servername: string): T | undefined {
  const name = servername.toLowerCase().replace(/\.$/, '');
  const exact = table.get(name);
  if (exact !== undefined) return exact;
  const dot = name.indexOf('.');
  return dot > 0 ? table.get(`*${name.slice(dot)}`) : undefined;
}

/** the certificates in use; replaced as a whole when configured files change on disk */
interface Certificates {
  pem: PemPair;
  defaultContext: tls.SecureContext;
  sni: Map<string, tls.SecureContext>;
}

/** a TlsProvider that can re-read configured certificate files (e.g. after a renewal) */
export interface ReloadableTlsProvider extends TlsProvider {
  /**
   * Re-reads tls.cert/tls.key and tls.sni files when any of them changed since the last load;
   * keeps the old certificates (and logs why) if the new files are unusable.
   * Resolves true when new certificates are in use. New handshakes use them at once; the
   * static key/cert in serverOptions() copies made earlier do not change.
   */
  reload(): Promise<boolean>;
  /** stops the periodic file check */
  close(): void;
  /** puts a new default certificate in use at once (ACME issuance and renewal) */
  useCertificate(pem: PemPair, source: string): void;
  /** the default certificate in use, for status pages */
  info(): { subject: string; issuer: string; notAfter: Date; source: string } | null;
}

/** every configured certificate file, for change detection */
function configuredFiles(config: Config): string[] {
  const files = config.tls.cert && config.tls.key ? [config.tls.cert, config.tls.key] : [];
  for (const pair of Object.values(config.tls.sni)) files.push(pair.cert, pair.key);
  return files;
}

function fingerprint(files: string[]): string {
  return files
    .map((f) => {
      try {
        const st = statSync(f);
        return `${f}:${st.mtimeMs}:${st.size}`;
      } catch {
        return `${f}:missing`;
      }
    })
    .join('|');
}

async function loadCertificates(config: Config, log: Logger): Promise<Certificates & { source: string }> {
  const { cert, key } = config.tls;
  if ((cert === undefined) !== (key === undefined)) {
    throw new TlsConfigError(
      `tls.${cert === undefined ? 'key' : 'cert'} is set but tls.${cert === undefined ? 'cert' : 'key'} is not; ` +
        'set both (PEM paths) or neither (self-signed certificate)',
    );
  }
  let pem: PemPair;
  let defaultContext: tls.SecureContext;
  let source: string;
  const acme = config.tls.acme.enabled && cert === undefined ? loadAcmeCertificate(config.data_dir) : null;
  if (cert !== undefined && key !== undefined) {
    ({ pem, context: defaultContext } = loadPair(cert, key, 'tls'));
    source = resolve(cert);
    log.info({ cert: resolve(cert) }, `using the certificate ${resolve(cert)}`);
  } else if (acme) {
    pem = { cert: acme.cert, key: acme.key };
    defaultContext = tls.createSecureContext({ ...pem, minVersion: MIN_TLS_VERSION });
    source = 'ACME (tls.acme)';
    log.info({ names: acme.names, notAfter: acme.notAfter }, `using the ACME certificate for ${acme.names.join(', ')}`);
  } else {
    source = config.tls.acme.enabled ? 'self-signed until ACME issues one' : 'self-signed (no tls.cert)';
    pem = await selfSignedCertificate(config, log);
    defaultContext = tls.createSecureContext({ ...pem, minVersion: MIN_TLS_VERSION });
  }
  const sni = new Map<string, tls.SecureContext>();
  for (const [host, pair] of Object.entries(config.tls.sni)) {
    sni.set(host.toLowerCase().replace(/\.$/, ''), loadPair(pair.cert, pair.key, `tls.sni."${host}"`).context);
  }
  if (sni.size > 0) log.info({ hosts: [...sni.keys()] }, `SNI certificates loaded for ${[...sni.keys()].join(', ')}`);
  return { pem, defaultContext, sni, source };
}

export async function createTlsProvider(
  config: Config,
  log: Logger,
  opts: TlsProviderOptions = {},
): Promise<ReloadableTlsProvider> {
  const tlog = log.child({ component: 'tls' });
  const files = configuredFiles(config);
  let loadedFrom = fingerprint(files);
  let current = await loadCertificates(config, tlog);
  const changeListeners = new Set<() => void>();
  const changed = () => {
    for (const l of changeListeners) {
      try {
        l();
      } catch (err) {
        tlog.error({ err: (err as Error).message }, `a listener could not take the new certificate: ${(err as Error).message}`);
      }
    }
  };

  const SNICallback = (servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) =>
    cb(null, sniLookup(current.sni, servername) ?? current.defaultContext);
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 30_000;

  async function reload(): Promise<boolean> {
    const now = fingerprint(files);
    if (files.length === 0 || now === loadedFrom) return false;
    try {
      current = await loadCertificates(config, tlog);
      loadedFrom = now;
      changed();
      tlog.info('certificate files changed on disk; new TLS handshakes use the new certificates');
      return true;
    } catch (err) {
      tlog.error({ err: (err as Error).message }, `certificate files changed but cannot be used; keeping the previous certificates: ${(err as Error).message}`);
      return false;
    }
  }
  const timer =
    files.length > 0 && (opts.reloadCheckMs ?? 3600_000) > 0
      ? setInterval(() => void reload(), opts.reloadCheckMs ?? 3600_000).unref()
      : undefined;

  return {
    // SNICallback is always set so that handshakes naming a host pick up reloaded certificates
    serverOptions: () => ({ key: current.pem.key, cert: current.pem.cert, minVersion: MIN_TLS_VERSION, SNICallback }),
    reload,
    close: () => clearInterval(timer),
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    useCertificate(pem, source) {
      current = { ...current, pem, defaultContext: tls.createSecureContext({ ...pem, minVersion: MIN_TLS_VERSION }), source };
      tlog.info({ source }, `new certificate in use (${source}); every listener presents it from the next handshake`);
      changed();
    },
    info() {
      try {
        const x = new X509Certificate(current.pem.cert);
        return { subject: x.subject.replace(/\n/g, ', '), issuer: x.issuer.replace(/\n/g, ', '), notAfter: new Date(x.validTo), source: current.source };
      } catch {
        return null;
      }
    },
    upgrade(socket: net.Socket): Promise<tls.TLSSocket> {
      return new Promise((resolvePromise, reject) => {
        const secure = new tls.TLSSocket(socket, {
          isServer: true,
          secureContext: current.defaultContext,
          SNICallback,
        });
        const timer = setTimeout(
          () => fail(new Error(`TLS handshake not completed within ${handshakeTimeoutMs} ms`)),
          handshakeTimeoutMs,
        );
        const fail = (err: Error) => {
          clearTimeout(timer);
          secure.off('secure', ok);
          secure.off('close', closed);
          // keep a listener so late errors on the dead socket cannot crash the process
          secure.on('error', () => {});
          secure.destroy();
          reject(err);
        };
        const ok = () => {
          clearTimeout(timer);
          secure.off('error', fail);
          secure.off('close', closed);
          resolvePromise(secure);
        };
        const closed = () => fail(new Error('connection closed during the TLS handshake'));
        secure.once('secure', ok);
        secure.once('error', fail);
        secure.once('close', closed);
      });
    },
  };
}
