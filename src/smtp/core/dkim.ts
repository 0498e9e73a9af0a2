/**
 * DKIM signing of submitted mail (RFC 6376) with the sender domain's key, which
 * `letterbox domain add` stores (Domain.dkimSelector / dkimPrivateKey). Domains without a
 * key send unsigned. Signing problems are logged and the message goes out unsigned
 * rather than being lost.
 */
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import type { Logger } from 'pino';
import type { Store } from '../../store/types.js';
import { aLabel } from '../../net/dns-name.js';

/** the DKIM-Signature field(s) to prepend, or "" */
export async function signatureFor(store: Store, domain: string, raw: Buffer, log: Logger): Promise<string> {
  const d = await store.getDomain(domain);
  if (!d?.dkimSelector || !d.dkimPrivateKey) return '';
  try {
    // mailauth signs with the entries of signatureData (top-level key fields alone sign nothing);
    // d= in A-label form, as the DNS name verifiers look the key up under (RFC 8616 §4)
    const res = await dkimSign(raw, {
      signatureData: [{ signingDomain: aLabel(d.name), selector: d.dkimSelector, privateKey: d.dkimPrivateKey, canonicalization: 'relaxed/relaxed' }],
    } as Parameters<typeof dkimSign>[1]);
    for (const e of res.errors ?? []) log.warn({ domain, err: e.message }, 'DKIM signing problem; message sent unsigned');
    const sig = (res.signatures ?? '').replace(/\r?\n/g, '\r\n').replace(/^(\r\n)+/, '');
    if (!sig.trim()) return '';
    return sig && !sig.endsWith('\r\n') ? sig + '\r\n' : sig;
  } catch (err) {
    log.warn({ domain, err: (err as Error).message }, 'DKIM signing failed; check the domain key (letterbox dns ' + domain + ')');
    return '';
  }
}

/** "lb" + yyyymm of today: a new selector each month a key is made, so keys can be rotated. */
export function dkimSelector(now = new Date()): string {
  return `lb${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function generateDkimKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
