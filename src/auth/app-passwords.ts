/**
 * App passwords (per device, as WildDuck and the big providers offer): a random password a
 * user makes for one mail client, limited to chosen protocols, revocable on its own without
 * changing the account password. Kept in the account's keyed state (namespace below), so they
 * go with backups and are removed with the account.
 *
 * - The password is 16 random lower-case letters (about 75 bits), shown once, in groups of
 *   four; spaces are ignored when it is typed back.
 * - Stored as an argon2id hash, with a 16-bit tag of its SHA-256 so a login tries argon2id
 *   only on the (almost always single) entry whose tag matches: a wrong password costs no
 *   more than a wrong account password, however many app passwords the account has.
 * - Each has the protocols it may be used for: imap, pop3, smtp (submission), managesieve
 *   (filter scripts), web. Entries store the list as given when they were made, so one made
 *   before a protocol existed does not gain it.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Store, AccountId } from '../store/types.js';
import type { AuthProtocol } from './types.js';
import { accountChange } from '../store/util.js';

export const APP_PASSWORD_NS = 'auth.app-password';
export const MAX_APP_PASSWORDS = 20;
export const APP_PASSWORD_PROTOCOLS: readonly AuthProtocol[] = ['imap', 'pop3', 'smtp', 'managesieve', 'web'];
const NAME_MAX = 80;
/** ids are 12 hex digits (createAppPassword); anything else, e.g. the account password's "password", names none */
const APP_PASSWORD_ID = /^[0-9a-f]{12}$/;

export interface AppPassword {
  id: string;
  name: string;
  protocols: AuthProtocol[];
  createdAt: Date;
}

interface Stored {
  name: string;
  protocols: AuthProtocol[];
  hash: string;
  tag: string;
  createdAt: string;
}

type KvStore = Pick<Store, 'kvGet' | 'kvList' | 'kvSet' | 'kvDelete'>;

/** the typed form with spaces removed, or null when it cannot be an app password */
export function normaliseAppPassword(typed: string): string | null {
  const s = typed.replace(/[\s-]+/g, '').toLowerCase();
  return /^[a-z]{16}$/.test(s) ? s : null;
}

export const appPasswordTag = (normalised: string): string => createHash('sha256').update(normalised).digest('hex').slice(0, 4);

function parse(id: string, value: string): (AppPassword & { hash: string; tag: string }) | null {
  try {
    const v = JSON.parse(value) as Stored;
    return { id, name: v.name, protocols: v.protocols, createdAt: new Date(v.createdAt), hash: v.hash, tag: v.tag };
  } catch {
    return null;
  }
}

export async function listAppPasswords(store: KvStore, accountId: AccountId): Promise<AppPassword[]> {
  const entries = await store.kvList(APP_PASSWORD_NS, accountId);
  return entries.flatMap((e) => {
    const p = parse(e.key, e.value);
    return p ? [{ id: p.id, name: p.name, protocols: p.protocols, createdAt: p.createdAt }] : [];
  });
}

/** entries whose tag matches the typed password (candidates for an argon2id check) */
export async function appPasswordCandidates(store: KvStore, accountId: AccountId, normalised: string) {
  const tag = appPasswordTag(normalised);
  const entries = await store.kvList(APP_PASSWORD_NS, accountId);
  return entries.flatMap((e) => {
    const p = parse(e.key, e.value);
    return p && p.tag === tag ? [p] : [];
  });
}

export class AppPasswordError extends Error {}

/** makes an app password; returns it in clear text once (grouped for reading) */
export async function createAppPassword(
  store: KvStore,
  accountId: AccountId,
  input: { name: string; protocols: AuthProtocol[] },
  hashPassword: (pw: string) => Promise<string>,
): Promise<{ id: string; password: string }> {
  const name = input.name.trim().replace(/\s+/g, ' ').slice(0, NAME_MAX);
  if (!name) throw new AppPasswordError('give the app password a name, e.g. the device it is for');
  const protocols = APP_PASSWORD_PROTOCOLS.filter((p) => input.protocols.includes(p));
  if (protocols.length === 0) throw new AppPasswordError('choose at least one protocol the app password may be used for');
  const existing = await store.kvList(APP_PASSWORD_NS, accountId);
  if (existing.length >= MAX_APP_PASSWORDS) throw new AppPasswordError(`at most ${MAX_APP_PASSWORDS} app passwords per account; revoke one first`);
  let password = '';
  for (let i = 0; i < 16; i++) password += String.fromCharCode(97 + randomInt(26));
  const id = randomBytes(6).toString('hex');
  const stored: Stored = { name, protocols, hash: await hashPassword(password), tag: appPasswordTag(password), createdAt: new Date().toISOString() };
  await store.kvSet(APP_PASSWORD_NS, accountId, [{ key: id, value: JSON.stringify(stored) }]);
  return { id, password: password.match(/.{4}/g)!.join(' ') };
}

/**
 * true when the account had this app password. The deletion announces a `credential-revoked`
 * change with its commit, so every process (other `--workers`, other nodes on one
 * PostgreSQL) ends the sessions that logged in with it, not only the process that revoked it.
 */
export async function revokeAppPassword(store: KvStore, accountId: AccountId, id: string): Promise<boolean> {
  if (!APP_PASSWORD_ID.test(id) || !(await store.kvGet(APP_PASSWORD_NS, accountId, [id])).has(id)) return false;
  const announce = [accountChange(accountId, 'credential-revoked', { credential: id })];
  return (await store.kvDelete(APP_PASSWORD_NS, accountId, [id], { announce })) > 0;
}
