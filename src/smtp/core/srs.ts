/**
 * Sender Rewriting Scheme for forwarded mail (the Shevek scheme Postfix's postsrsd and
 * Exim use): a message we forward to an external address (an alias today, a Sieve redirect
 * later) leaves with MAIL FROM
 *   SRS0=HHHH=TT=orig-domain=orig-local@<smtp.srs_domain>
 * so the destination's SPF check sees our domain, not the original sender's, and bounces
 * come back to us; we turn them back into the original address (checking the hash and that
 * the timestamp is at most 21 days old) and forward them there. An address that is already
 * SRS0 from another forwarder becomes SRS1=HHHH=forwarder==HHHH=TT=... (its bounce goes to
 * that forwarder). HH = HMAC-SHA1 under a secret kept in the store (server-wide keyed state
 * "srs", made on first use), base64, 4 characters; TT = days, base32, mod 1024.
 * The one implementation: the queue runner applies it to every forwarded item.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/types.js';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const MAX_AGE_DAYS = 21;

function hash(secret: string, ...parts: string[]): string {
  const h = createHmac('sha1', secret);
  for (const p of parts) h.update(p.toLowerCase());
  return h.digest('base64').slice(0, 4);
}

function stamp(now: Date): string {
  const day = Math.floor(now.getTime() / 86400_000) % 1024;
  return B32[day >> 5]! + B32[day & 31]!;
}

function stampAge(tt: string, now: Date): number {
  const v = B32.indexOf(tt[0]!.toUpperCase()) * 32 + B32.indexOf(tt[1]!.toUpperCase());
  const today = Math.floor(now.getTime() / 86400_000) % 1024;
  return (today - v + 1024) % 1024;
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a.toLowerCase()), Buffer.from(b.toLowerCase()));

/** the SRS address for `sender` (lower-cased domain); an empty sender stays empty */
export function srsForward(sender: string, secret: string, srsDomain: string, now = new Date()): string {
  if (!sender) return sender;
  const at = sender.lastIndexOf('@');
  const local = sender.slice(0, at);
  const domain = sender.slice(at + 1);
  if (domain.toLowerCase() === srsDomain.toLowerCase()) return sender; // ours already
  const m0 = /^SRS0([=+-])(.*)$/i.exec(local);
  if (m0) {
    // SRS1=HHHH=first-forwarder==<SRS0 part without "SRS0=">
    return `SRS1=${hash(secret, domain, m0[2]!)}=${domain}==${m0[2]}@${srsDomain}`;
  }
  const m1 = /^SRS1[=+-][^=]{4}=([^=]+)==(.*)$/i.exec(local);
  if (m1) return `SRS1=${hash(secret, m1[1]!, m1[2]!)}=${m1[1]}==${m1[2]}@${srsDomain}`;
  const tt = stamp(now);
  return `SRS0=${hash(secret, tt, domain, local)}=${tt}=${domain}=${local}@${srsDomain}`;
}

/**
 * The address an SRS address stands for, or null when it is not one of ours (bad hash,
 * expired, malformed). SRS1 goes back to the first forwarder's SRS0 address.
 */
export function srsReverse(address: string, secret: string, now = new Date()): string | null {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  const m0 = /^SRS0[=+-]([^=]{4})=([^=]{2})=([^=]+)=(.+)$/i.exec(local);
  if (m0) {
    const [, hh, tt, domain, user] = m0 as unknown as [string, string, string, string, string];
    if (!same(hh, hash(secret, tt, domain, user))) return null;
    if (stampAge(tt, now) > MAX_AGE_DAYS) return null;
    return `${user}@${domain}`;
  }
  const m1 = /^SRS1[=+-]([^=]{4})=([^=]+)==(.+)$/i.exec(local);
  if (m1) {
    const [, hh, host, rest] = m1 as unknown as [string, string, string, string];
    if (!same(hh, hash(secret, host, rest))) return null;
    return `SRS0=${rest}@${host}`;
  }
  return null;
}

export function isSrs(address: string): boolean {
  return /^SRS[01][=+-]/i.test(address);
}

const NS = 'srs';

/** the server's SRS secret: `configured` when set, else one made on first use and kept in the store */
export async function srsSecret(store: Store, configured: string): Promise<string> {
  if (configured) return configured;
  const got = (await store.kvGet(NS, null, ['secret'])).get('secret');
  if (got) return got.value;
  const secret = randomBytes(24).toString('base64');
  await store.kvSet(NS, null, [{ key: 'secret', value: secret }]);
  // another process may have raced us: the stored one wins
  return (await store.kvGet(NS, null, ['secret'])).get('secret')?.value ?? secret;
}
