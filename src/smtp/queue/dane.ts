/**
 * DANE for SMTP (RFC 7672): when the destination's MX RRset and the MX host's TLSA records
 * (`_<port>._tcp.<mx host>`) are DNSSEC-validated, the connection must use STARTTLS and the
 * server's certificate must match a TLSA record: DANE-EE(3) against the server's own
 * certificate, DANE-TA(2) against a certificate of its chain (plus the MX host name).
 * PKIX usages 0 and 1 are unusable for SMTP (§3.1.3) and ignored. DANE takes precedence
 * over MTA-STS (RFC 8461 §2). Insecure or missing TLSA = DANE does not apply.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import type { TlsaData } from 'dns-packet';
import { querySecure } from '../core/dnssec.js';

export interface DanePolicy {
  host: string;
  records: TlsaData[];
}

/** the usable TLSA records of an MX host, or null when DANE does not apply */
export async function danePolicy(servers: Array<[string, number]>, domain: string, host: string, port: number, timeoutMs: number): Promise<DanePolicy | null> {
  const mx = await querySecure<unknown>(servers, domain, 'MX', timeoutMs).catch(() => null);
  if (!mx?.secure) return null;
  const tlsa = await querySecure<TlsaData>(servers, `_${port}._tcp.${host}`, 'TLSA', timeoutMs);
  if (!tlsa.secure) return null;
  const records = tlsa.records.filter((r) => (r.usage === 2 || r.usage === 3) && (r.selector === 0 || r.selector === 1) && r.matchingType <= 2);
  return records.length ? { host, records } : null;
}

function digest(data: Buffer, matchingType: number): Buffer {
  if (matchingType === 1) return createHash('sha256').update(data).digest();
  if (matchingType === 2) return createHash('sha512').update(data).digest();
  return data;
}

function matches(r: TlsaData, der: Buffer): boolean {
  const data = r.selector === 1 ? new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' }) : der;
  return digest(data, r.matchingType).equals(r.certificate);
}

/** null when the certificate chain satisfies the policy, else why not */
export function daneCheck(policy: DanePolicy, cert: PeerCertificate | null): string | null {
  if (!cert?.raw) return 'no certificate';
  if (policy.records.some((r) => r.usage === 3 && matches(r, cert.raw))) return null; // DANE-EE: no name check (§3.1.1)
  const ta = policy.records.filter((r) => r.usage === 2);
  if (ta.length) {
    const chain: Buffer[] = [];
    let c: DetailedPeerCertificate | undefined = (cert as DetailedPeerCertificate).issuerCertificate;
    for (let i = 0; c && i < 10 && !chain.some((x) => x.equals(c!.raw)); i++, c = c.issuerCertificate) chain.push(c.raw);
    if (chain.some((der) => ta.some((r) => matches(r, der)))) {
      const bad = checkServerIdentity(policy.host, cert);
      return bad ? `DANE-TA matched but the certificate is not for ${policy.host}` : null;
    }
  }
  return 'certificate matches no TLSA record';
}
