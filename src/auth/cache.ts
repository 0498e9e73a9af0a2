/**
 * A cache of recently verified logins, so that a client that reconnects often (phones,
 * mail clients with several connections, 10,000 IDLE sessions) does not pay one argon2id
 * verification per connection. Like Dovecot's auth cache, it is an in-memory speed-up only:
 *
 * - it stores an HMAC of the password under a random per-process key, never the password;
 * - an entry is bound to the account's stored hash, so a password change invalidates it;
 * - entries expire after the TTL (auth.cache_ttl_s; 0 disables the cache);
 * - failed logins are never cached (they go through argon2id and the throttle every time).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

interface Entry {
  phc: string;
  mac: Buffer;
  expires: number;
}

export interface VerifiedCache {
  /** true when this password was verified for this account (with this stored hash) within the TTL */
  hit(user: string, phc: string, password: string): boolean;
  remember(user: string, phc: string, password: string): void;
}

export function createVerifiedCache(ttlMs: number, now: () => number = Date.now, maxEntries = 100_000): VerifiedCache {
  const key = randomBytes(32);
  const entries = new Map<string, Entry>();
  const mac = (user: string, password: string) => createHmac('sha256', key).update(user).update('\0').update(password).digest();

  return {
    hit(user, phc, password) {
      if (ttlMs <= 0) return false;
      const e = entries.get(user);
      if (!e) return false;
      if (e.expires <= now() || e.phc !== phc) {
        entries.delete(user);
        return false;
      }
      return timingSafeEqual(e.mac, mac(user, password));
    },
    remember(user, phc, password) {
      if (ttlMs <= 0) return;
      if (entries.size >= maxEntries && !entries.has(user)) {
        // drop the oldest entry (Map keeps insertion order)
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.delete(user);
      entries.set(user, { phc, mac: mac(user, password), expires: now() + ttlMs });
    },
  };
}
