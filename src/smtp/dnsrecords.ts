/**
 * The DNS records a domain needs to publish for letterbox (`letterbox dns <domain>`),
 * as zone-file lines: MX (RFC 5321 §5), SPF (RFC 7208), DKIM (RFC 6376 §3.6.1) from the
 * domain's stored key, DMARC (RFC 7489 §6.1), service SRV records for IMAP, POP3 and
 * submission (RFC 6186, RFC 8314 §5.1) with the configured ports, and autoconfig names.
 * Every name, target and report address is in A-label form (an IDN domain as xn--…): that
 * is what a zone holds and what resolvers are asked for.
 */
import { createPublicKey } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Domain } from '../store/types.js';
import { ownPolicyId } from './mta-sts-policy.js';
import { aLabel, aLabelAddress } from '../net/dns-name.js';

export interface DnsRecord {
  name: string;
  type: 'MX' | 'TXT' | 'SRV' | 'CNAME';
  value: string;
  comment?: string;
}

/** DKIM TXT value from a PEM private key: "v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>" */
export function dkimTxtValue(privateKeyPem: string): string {
  const pub = createPublicKey(privateKeyPem);
  if (pub.asymmetricKeyType === 'ed25519') {
    const der = pub.export({ type: 'spki', format: 'der' });
    return `v=DKIM1; k=ed25519; p=${der.subarray(der.length - 32).toString('base64')}`; // RFC 8463 §4
  }
  return `v=DKIM1; k=rsa; p=${pub.export({ type: 'spki', format: 'der' }).toString('base64')}`;
}

/** a TXT value as quoted character-strings of at most 255 octets (RFC 1035 §3.3.14) */
export function quoteTxt(value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(`"${value.slice(i, i + 255)}"`);
  return parts.join(' ');
}

/**
 * @param reports addresses here that receive reports, when they exist: DMARC aggregate
 * (`rua`) and TLS-RPT. A record naming an address nobody reads is not printed.
 */
export function recordsFor(domain: Domain, config: Config, reports: { dmarc?: string | null; tlsrpt?: string | null } = {}): DnsRecord[] {
  const d = aLabel(domain.name);
  const host = aLabel(config.hostname);
  const fq = (n: string) => `${n}.`;
  const records: DnsRecord[] = [
    { name: fq(d), type: 'MX', value: `10 ${fq(host)}`, comment: 'mail for the domain goes to this server' },
    { name: fq(d), type: 'TXT', value: quoteTxt('v=spf1 mx -all'), comment: 'SPF: only the MX hosts send for the domain' },
  ];
  if (domain.dkimSelector && domain.dkimPrivateKey) {
    records.push({ name: fq(`${domain.dkimSelector}._domainkey.${d}`), type: 'TXT', value: quoteTxt(dkimTxtValue(domain.dkimPrivateKey)), comment: 'DKIM public key' });
  }
  records.push({
    name: fq(`_dmarc.${d}`),
    type: 'TXT',
    value: quoteTxt(`v=DMARC1; p=quarantine; adkim=s; aspf=s${reports.dmarc ? `; rua=mailto:${aLabelAddress(reports.dmarc)}` : ''}`),
    comment: reports.dmarc ? 'DMARC policy; aggregate reports to an address handled here' : 'DMARC policy (no rua: create postmaster@ or dmarc-reports@ to receive reports)',
  });
  // RFC 8461 §3.1 and RFC 8460 §3
  records.push({ name: fq(`_mta-sts.${d}`), type: 'TXT', value: quoteTxt(`v=STSv1; id=${ownPolicyId(config)}`), comment: `MTA-STS, policy mode ${config.smtp.mta_sts_policy}` });
  records.push({ name: fq(`mta-sts.${d}`), type: 'CNAME', value: fq(host), comment: 'serves the MTA-STS policy over HTTPS (needs a certificate for this name)' });
  if (reports.tlsrpt) records.push({ name: fq(`_smtp._tls.${d}`), type: 'TXT', value: quoteTxt(`v=TLSRPTv1; rua=mailto:${aLabelAddress(reports.tlsrpt)}`), comment: 'TLS-RPT: where senders report TLS problems' });
  // RFC 6186 §3 / RFC 8314 §5.1: priority weight port target; target "." = service not offered
  const srv: Array<[string, keyof Config['listeners']]> = [
    ['_submissions._tcp', 'submissions'],
    ['_submission._tcp', 'submission'],
    ['_imaps._tcp', 'imaps'],
    ['_imap._tcp', 'imap'],
    ['_pop3s._tcp', 'pop3s'],
    ['_pop3._tcp', 'pop3'],
  ];
  for (const [label, listener] of srv) {
    const l = config.listeners[listener];
    records.push({ name: fq(`${label}.${d}`), type: 'SRV', value: l.enabled ? `0 1 ${l.port} ${fq(host)}` : '0 0 0 .' });
  }
  records.push({ name: fq(`autoconfig.${d}`), type: 'CNAME', value: fq(host), comment: 'Thunderbird autoconfig' });
  records.push({ name: fq(`autodiscover.${d}`), type: 'CNAME', value: fq(host), comment: 'Outlook autodiscover' });
  return records;
}

/** zone-file text, one record per line, aligned */
export function formatZone(records: DnsRecord[]): string {
  const w = Math.max(...records.map((r) => r.name.length));
  return records.map((r) => `${r.name.padEnd(w)}  IN ${r.type.padEnd(5)} ${r.value}${r.comment ? `  ; ${r.comment}` : ''}`).join('\n');
}
