/**
 * Certificates from an ACME CA (RFC 8555) with the http-01 challenge (§8.3), through the
 * acme-client library: one certificate for the host name, autoconfig.<domain> and
 * mta-sts.<domain> of every domain, and tls.acme.extra_names.
 *
 * - Kept in <data_dir>/acme/: account.key and account.json (the ACME account), key.pem and cert.pem (the
 *   certificate and its chain), names.json (what it was requested for); owner-only files.
 * - On start, a stored certificate that is still good is used at once; otherwise (none,
 *   expiring within renew_days, or a domain added since) a new one is ordered in the
 *   background while the previous (or self-signed) certificate keeps serving.
 * - Checked again every check_interval_s. A new certificate goes to the TLS provider, which
 *   every listener (IMAP, POP3, SMTP, HTTPS, implicit TLS and STARTTLS) uses for its next
 *   handshake: no restart.
 * - The CA fetches http://<name>/.well-known/acme-challenge/<token> from the http listener
 *   (port 80 in production), which answers from challenge() here.
 * - Failures are logged with the CA's reason and retried at the next check (at most hourly).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aLabel } from './dns-name.js';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import acme from 'acme-client';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Store } from '../store/types.js';
import type { PemPair } from './pem.js';

export interface AcmeManager {
  /** the key authorization for an http-01 token we are being asked about, or null */
  challenge(token: string): string | null;
  /** orders a certificate now if it is missing, expiring or lacks a name; resolves true when a new one is in use */
  check(opts?: { force?: boolean }): Promise<boolean>;
  /** the certificate in use from ACME, if any */
  current(): PemPair | null;
  stop(): void;
}

export const ACME_DIR = 'acme';

/**
 * The names one certificate covers: hostname, autoconfig.<d> and mta-sts.<d> of every
 * domain, extra names. A domain kept in Unicode (IDN) is named by its A-label (xn--…):
 * CAs take only that form, and it is what SNI and the Host header carry.
 */
export async function acmeNames(config: Config, store: Pick<Store, 'listDomains'>): Promise<string[]> {
  const names = new Set<string>();
  const add = (n: string) => {
    const v = aLabel(n);
    if (v && v.includes('.') && v !== 'localhost' && !/^[\d.]+$/.test(v) && !v.includes(':')) names.add(v);
  };
  add(config.hostname);
  for (const d of await store.listDomains()) {
    add(`autoconfig.${d.name}`);
    add(`mta-sts.${d.name}`);
  }
  for (const n of config.tls.acme.extra_names) add(n);
  return [...names];
}

/** a stored ACME certificate, when present and readable */
export function loadAcmeCertificate(dataDir: string): (PemPair & { names: string[]; notAfter: Date }) | null {
  const dir = join(dataDir, ACME_DIR);
  try {
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const names = JSON.parse(readFileSync(join(dir, 'names.json'), 'utf8')) as string[];
    return { cert, key, names, notAfter: new Date(new X509Certificate(cert).validTo) };
  } catch {
    return null;
  }
}

export function createAcmeManager(
  config: Config,
  store: Pick<Store, 'listDomains'>,
  log: Logger,
  install: (pem: PemPair) => void,
): AcmeManager {
  const alog = log.child({ component: 'acme' });
  const settings = config.tls.acme;
  const dir = join(config.data_dir, ACME_DIR);
  const tokens = new Map<string, string>();
  let running: Promise<boolean> | null = null;
  let lastFailure = 0;

  if (settings.ca_file) {
    // the CA's own HTTPS: the public roots plus the configured one (a private or test CA)
    acme.axios.defaults.httpsAgent = new https.Agent({ ca: [...rootCertificates, readFileSync(settings.ca_file, 'utf8')] });
  }
  acme.setLogger((m: string) => alog.debug(m));

  function accountKey(): Promise<Buffer> | Buffer {
    const file = join(dir, 'account.key');
    if (existsSync(file)) return readFileSync(file);
    return acme.crypto.createPrivateEcdsaKey('P-256').then((k) => {
      writeFileSync(file, k, { mode: 0o600 });
      return k;
    });
  }

  async function order(names: string[]): Promise<void> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // RFC 8555 §7.3: the account, made once per CA and remembered by its URL
    const accountFile = join(dir, 'account.json');
    let known: { directory: string; url: string } | null = null;
    try {
      known = JSON.parse(readFileSync(accountFile, 'utf8')) as { directory: string; url: string };
    } catch {
      // first order from this data directory
    }
    const accountUrl = known?.directory === settings.directory_url ? known.url : undefined;
    const client = new acme.Client({ directoryUrl: settings.directory_url, accountKey: await accountKey(), ...(accountUrl ? { accountUrl } : {}) });
    alog.info({ names, ca: settings.directory_url }, `ordering a certificate for ${names.join(', ')} from ${settings.directory_url}`);
    if (!accountUrl) {
      await client.createAccount({ termsOfServiceAgreed: true, ...(settings.email ? { contact: [`mailto:${settings.email}`] } : {}) });
      writeFileSync(accountFile, JSON.stringify({ directory: settings.directory_url, url: client.getAccountUrl() }), { mode: 0o600 });
    }
    // §7.4: the order
    const ordered = await client.createOrder({ identifiers: names.map((value) => ({ type: 'dns', value })) });
    const mine: string[] = [];
    try {
      for (const authz of await client.getAuthorizations(ordered)) {
        if (authz.status === 'valid') continue;
        // §8.3: http-01, answered by the http listener from `tokens`
        const challenge = authz.challenges.find((ch) => ch.type === 'http-01');
        if (!challenge) throw new Error(`the CA offers no http-01 challenge for ${authz.identifier.value}`);
        tokens.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
        mine.push(challenge.token);
        await client.completeChallenge(challenge);
        await client.waitForValidStatus(challenge);
      }
    } finally {
      for (const t of mine) tokens.delete(t);
    }
    // the CSR is made with node-forge (acme-client's legacy helper); its newer helper trips over
    // two copies of @peculiar/asn1-schema in this dependency tree
    const [key, csr] = await acme.forge.createCsr({ commonName: names[0]!, altNames: names });
    const finalized = await client.finalizeOrder(ordered, csr);
    const cert = await client.getCertificate(finalized);
    writeFileSync(join(dir, 'key.pem'), key, { mode: 0o600 });
    writeFileSync(join(dir, 'cert.pem'), cert, { mode: 0o600 });
    writeFileSync(join(dir, 'names.json'), JSON.stringify(names), { mode: 0o600 });
    const x = new X509Certificate(cert);
    alog.info({ names, notAfter: x.validTo, issuer: x.issuer }, `new certificate for ${names.join(', ')}, valid until ${x.validTo}; every listener uses it from now on`);
  }

  async function check(opts: { force?: boolean } = {}): Promise<boolean> {
    const names = await acmeNames(config, store);
    if (names.length === 0) {
      alog.warn('tls.acme is enabled but there is no public name to certify: set hostname to the server\'s DNS name');
      return false;
    }
    const stored = loadAcmeCertificate(config.data_dir);
    const renewAt = stored ? stored.notAfter.getTime() - settings.renew_days * 86400_000 : 0;
    const missing = stored ? names.filter((n) => !stored.names.includes(n)) : names;
    if (!opts.force && stored && missing.length === 0 && Date.now() < renewAt) return false;
    if (!opts.force && Date.now() - lastFailure < 3600_000) return false;
    try {
      await order(names);
    } catch (err) {
      lastFailure = Date.now();
      alog.error(
        { err: (err as Error).message, names },
        `could not get a certificate from ${settings.directory_url}: ${(err as Error).message} — check that every name resolves to this server and that the http listener answers on port 80; retrying within the hour`,
      );
      return false;
    }
    const fresh = loadAcmeCertificate(config.data_dir);
    if (!fresh) return false;
    install(fresh);
    return true;
  }

  const timer = setInterval(() => void guarded(), settings.check_interval_s * 1000);
  timer.unref();
  function guarded(opts?: { force?: boolean }): Promise<boolean> {
    running ??= check(opts).finally(() => (running = null));
    return running;
  }

  return {
    challenge: (token) => tokens.get(token) ?? null,
    check: (opts) => guarded(opts),
    current: () => loadAcmeCertificate(config.data_dir),
    stop: () => clearInterval(timer),
  };
}
