/**
 * Small keyed state shared by features that need a little persistence of their own
 * (Sieve scripts and vacation/duplicate tracking, greylisting, spam-classifier tokens,
 * devices seen, app passwords, IMAP METADATA, rate counters…), in the spirit of Dovecot's
 * dict: one backend-neutral API instead of a table per feature in every backend.
 *
 * - A namespace (`ns`, e.g. "sieve.script") names the feature; keys are UTF-8 strings
 *   (at most KV_MAX_KEY bytes), values strings (at most KV_MAX_VALUE bytes; callers that
 *   store structures use JSON). Callers enforce their own, smaller limits.
 * - Scope: `accountId` = the account's own entry (removed with the account; a call naming
 *   an account that does not exist is NONEXISTENT for writes), `null` = server-wide.
 * - An entry past its `expiresAt` is invisible to every read and counts as absent for
 *   kvAdd; kvPurgeExpired deletes such entries (the server runs it hourly).
 * - Writes are durable like any other mutation, unless `durable: false` (counters, seen
 *   timestamps): then committed without their own fsync, as flag changes are.
 * - kvAdd is atomic: concurrent adds on one key never lose an increment, on any backend.
 * - kvSet and kvDelete may `announce` changes (e.g. METADATA's): published with the write's
 *   commit like any mutation's (the change bus, and other processes through the feed).
 */
import type { AccountId, Change } from './types.js';

export const KV_MAX_KEY = 1024;
export const KV_MAX_VALUE = 16 * 1024 * 1024;

export interface KvEntry {
  key: string;
  value: string;
  updatedAt: Date;
  expiresAt: Date | null;
}

export interface KvWrite {
  key: string;
  value: string;
  /** absent or null: never expires */
  expiresAt?: Date | null;
}

export interface KvOps {
  /** the live entries among `keys` */
  kvGet(ns: string, accountId: AccountId | null, keys: string[]): Promise<Map<string, KvEntry>>;
  /** live entries whose key starts with `prefix` (default all), ascending by key, after `after` when given */
  kvList(ns: string, accountId: AccountId | null, opts?: { prefix?: string; after?: string; limit?: number }): Promise<KvEntry[]>;
  /** inserts or replaces each entry, all in one transaction */
  kvSet(ns: string, accountId: AccountId | null, entries: KvWrite[], opts?: { durable?: boolean; announce?: Change[] }): Promise<void>;
  /** deletes the given keys; returns how many existed */
  kvDelete(ns: string, accountId: AccountId | null, keys: string[], opts?: { announce?: Change[] }): Promise<number>;
  /**
   * Adds `delta` to the integer stored at `key` (absent or expired = 0) and returns the new
   * value. `expiresAt`, when given, is set on the entry (also when it already existed).
   */
  kvAdd(ns: string, accountId: AccountId | null, key: string, delta: number, opts?: { expiresAt?: Date | null; durable?: boolean }): Promise<number>;
  /** deletes every entry whose expiresAt <= now; returns how many */
  kvPurgeExpired(now: Date): Promise<number>;
}
