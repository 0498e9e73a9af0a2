/**
 * Argument rules shared by every backend: mailbox names, flags, addresses, UID sets.
 * Everything here is pure; it throws StoreError INVALID for bad input.
 */
import { randomBytes } from 'node:crypto';
import { MAILBOX_DELIMITER, StoreError, type AccountId, type Change, type Flag, type UidSet } from './types.js';

// ───────────── mailbox names (RFC 9051 §5.1) ─────────────

/** Validates a mailbox name and spells INBOX (and an INBOX/ prefix) canonically. */
export function normaliseMailboxName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new StoreError('INVALID', 'mailbox name is empty');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new StoreError('INVALID', `mailbox name contains a control character`);
  if (name.startsWith(MAILBOX_DELIMITER) || name.endsWith(MAILBOX_DELIMITER))
    throw new StoreError('INVALID', `mailbox name "${name}" starts or ends with "${MAILBOX_DELIMITER}"`);
  const levels = name.split(MAILBOX_DELIMITER);
  if (levels.some((l) => l.length === 0)) throw new StoreError('INVALID', `mailbox name "${name}" has an empty level`);
  if (name.length > 1000) throw new StoreError('INVALID', 'mailbox name is longer than 1000 characters');
  if (levels[0]!.toUpperCase() === 'INBOX') levels[0] = 'INBOX';
  return levels.join(MAILBOX_DELIMITER);
}

/** Names of the superiors of a mailbox name, outermost first ("a/b/c" → ["a", "a/b"]). */
export function parentNames(name: string): string[] {
  const levels = name.split(MAILBOX_DELIMITER);
  const out: string[] = [];
  for (let i = 1; i < levels.length; i++) out.push(levels.slice(0, i).join(MAILBOX_DELIMITER));
  return out;
}

// ───────────── flags (RFC 9051 §2.3.2) ─────────────

const SYSTEM_FLAGS = new Map(['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]));

/** Canonical spelling of one flag; null for \Recent (never stored). */
export function normaliseFlag(flag: Flag): Flag | null {
  const lower = flag.toLowerCase();
  if (lower === '\\recent') return null;
  return SYSTEM_FLAGS.get(lower) ?? flag;
}

/** Normalised, de-duplicated (case-insensitively, first spelling wins) flag list. */
export function normaliseFlags(flags: readonly Flag[] | undefined): Flag[] {
  const out: Flag[] = [];
  const seen = new Set<string>();
  for (const f of flags ?? []) {
    if (typeof f !== 'string' || f.length === 0) continue;
    const n = normaliseFlag(f);
    if (n === null) continue;
    const key = n.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(n);
  }
  return out;
}

export function hasFlag(flags: readonly Flag[], flag: Flag): boolean {
  const key = flag.toLowerCase();
  return flags.some((f) => f.toLowerCase() === key);
}

/** Applies a STORE operation; returns the new list (existing spellings kept). */
export function applyFlagOp(current: readonly Flag[], op: 'add' | 'remove' | 'replace', flags: readonly Flag[]): Flag[] {
  const given = normaliseFlags(flags);
  if (op === 'replace') return given;
  if (op === 'add') return normaliseFlags([...current, ...given]);
  const drop = new Set(given.map((f) => f.toLowerCase()));
  return current.filter((f) => !drop.has(f.toLowerCase()));
}

export function sameFlags(a: readonly Flag[], b: readonly Flag[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a.map((f) => f.toLowerCase()));
  return b.every((f) => s.has(f.toLowerCase()));
}

// ───────────── addresses ─────────────

export function normaliseDomain(name: string): string {
  const d = String(name ?? '').trim().toLowerCase().replace(/\.$/, '');
  if (!d || /[\s@/\\]/.test(d) || d.startsWith('.') || d.includes('..'))
    throw new StoreError('INVALID', `"${name}" is not a valid domain name`);
  return d;
}

/** "local@domain" lower-cased; INVALID when malformed. */
export function normaliseAddress(address: string): { address: string; local: string; domain: string } {
  const a = String(address ?? '').trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at <= 0 || at === a.length - 1 || /[\s<>]/.test(a)) throw new StoreError('INVALID', `"${address}" is not a valid address (expected local@domain)`);
  const local = a.slice(0, at);
  const domain = normaliseDomain(a.slice(at + 1));
  return { address: `${local}@${domain}`, local, domain };
}

/** Alias source: "local@domain" or "@domain" (catch-all). */
export function normaliseAliasSource(source: string): { source: string; domain: string } {
  const s = String(source ?? '').trim().toLowerCase();
  if (s.startsWith('@')) {
    const domain = normaliseDomain(s.slice(1));
    return { source: `@${domain}`, domain };
  }
  const n = normaliseAddress(s);
  return { source: n.address, domain: n.domain };
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

// ───────────── UID sets ─────────────

export function inUidSet(uid: number, set: UidSet): boolean {
  for (const r of set) {
    if (typeof r === 'number') {
      if (r === uid) return true;
    } else {
      const lo = Math.min(r[0], r[1]);
      const hi = Math.max(r[0], r[1]);
      if (uid >= lo && uid <= hi) return true;
    }
  }
  return false;
}

/** Ranges [lo, hi] of a UID set with Infinity allowed, normalised lo <= hi. */
export function uidRanges(set: UidSet): Array<[number, number]> {
  return set.map((r) => (typeof r === 'number' ? [r, r] : [Math.min(r[0], r[1]), Math.max(r[0], r[1])]));
}

/** a UID set as ascending, merged [lo, hi] ranges clamped to 1..2^32-1, so each row is read once */
export function mergedRanges(set: UidSet): Array<[number, number]> {
  const ranges = uidRanges(set)
    .map(([lo, hi]) => [Math.max(1, lo), Math.min(0xffffffff, hi)] as [number, number])
    .filter(([lo, hi]) => lo <= hi)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

// ───────────── ids ─────────────

/** Message GUID: 32 hex characters, valid as a POP3 UIDL (RFC 1939 §7). */
let guidPool = Buffer.alloc(0);
let guidPos = 0;
export function newGuid(): string {
  if (guidPos + 16 > guidPool.length) {
    guidPool = randomBytes(4096);
    guidPos = 0;
  }
  guidPos += 16;
  return guidPool.toString('hex', guidPos - 16, guidPos);
}

/** UIDVALIDITY: non-zero 32-bit, strictly greater than `last`. */
export function nextUidValidity(last: number): number {
  const now = Math.floor(Date.now() / 1000) >>> 0;
  let v = Math.max(last + 1, now);
  if (v > 0xffffffff || v <= 0) v = 1;
  return v;
}

/** the Change an account-level event publishes (mailboxId and modseq 0: no mailbox is involved) */
export function accountChange(
  accountId: AccountId,
  event: 'removed' | 'password' | 'credential-revoked',
  opts?: { origin?: string; credential?: string },
): Change {
  const c: Change = { kind: 'account', event, accountId, mailboxId: 0, modseq: 0 };
  if (opts?.origin) c.origin = opts.origin;
  if (opts?.credential) c.credential = opts.credential;
  return c;
}

/** importMessages: given UIDs must be whole, ascend, start at or above uidNext and fit 32 bits (INVALID otherwise). */
export function checkImportUids(uidNext: number, inputs: ReadonlyArray<{ uid?: number }>): void {
  let floor = uidNext;
  for (const i of inputs) {
    if (i.uid === undefined) {
      floor++;
      continue;
    }
    if (!Number.isInteger(i.uid) || i.uid < floor || i.uid >= 0xffffffff)
      throw new StoreError('INVALID', `UID ${i.uid} cannot be kept: UIDs must ascend from the mailbox's next UID ${floor}`);
    floor = i.uid + 1;
  }
}

/** a UIDVALIDITY taken from another server: a non-zero 32-bit number */
export function checkUidValidity(v: number): void {
  if (!Number.isInteger(v) || v <= 0 || v > 0xffffffff) throw new StoreError('INVALID', `UIDVALIDITY ${v} is not a non-zero 32-bit number`);
}

/**
 * Mailboxes per account are capped (limits.mailboxes_per_account): LIST, STATUS and
 * NOTIFY work per mailbox, and a client creating them by the hundred thousand slows every
 * session of the account. LIMIT when `adding` more would pass `max` (undefined: no cap).
 */
export function checkMailboxLimit(existing: number, adding: number, max: number | undefined): void {
  if (max === undefined || adding <= 0 || existing + adding <= max) return;
  throw new StoreError('LIMIT', `the account has ${existing} mailboxes; at most ${max} are allowed (limits.mailboxes_per_account)`);
}
