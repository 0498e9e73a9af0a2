/**
 * Devices and clients seen: every successful login records which protocol, from which
 * address, with which credential (the account password or an app password) and, when the
 * client says, which program (IMAP ID, the SMTP EHLO name, the browser), with the first and
 * last time. The user pages list them; "sign this device out" ends its sessions and revokes
 * its app password.
 *
 * A device is keyed by protocol + address + credential, so a client that also says its name
 * later (IMAP ID after LOGIN) updates the same entry. Writes are not fsynced (like flag
 * changes) and are skipped when the same device logged in within the last minute, so a
 * client that reconnects constantly costs no write per connection. At most MAX_DEVICES per
 * account: the least recently seen are dropped.
 */
import { createHash } from 'node:crypto';
import type { AccountId, Store } from '../store/types.js';
import type { AuthProtocol, Credential } from './types.js';

export const DEVICE_NS = 'auth.device';
export const MAX_DEVICES = 50;
const REWRITE_AFTER_MS = 60_000;
const CLIENT_MAX = 120;

export interface Device {
  key: string;
  protocol: AuthProtocol;
  ip: string;
  /** "password", or the app password's id */
  credential: string;
  /** the app password's name when credential is one */
  appName: string | null;
  client: string | null;
  firstSeen: Date;
  lastSeen: Date;
}

type KvStore = Pick<Store, 'kvGet' | 'kvList' | 'kvSet' | 'kvDelete'>;

interface Stored {
  protocol: AuthProtocol;
  ip: string;
  credential: string;
  appName: string | null;
  client: string | null;
  firstSeen: string;
  lastSeen: string;
}

export const credentialId = (c: Credential): string => (c.kind === 'app' ? c.id : 'password');

export function deviceKey(protocol: AuthProtocol, ip: string, credential: string): string {
  return createHash('sha256').update(`${protocol}\0${ip}\0${credential}`).digest('hex').slice(0, 20);
}

/** printable, bounded client description (it comes from the network) */
export function cleanClientName(name: string | null | undefined): string | null {
  if (!name) return null;
  const s = name.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '').replace(/\s+/g, ' ').trim().slice(0, CLIENT_MAX);
  return s || null;
}

function parse(key: string, value: string): Device | null {
  try {
    const v = JSON.parse(value) as Stored;
    return { key, ...v, firstSeen: new Date(v.firstSeen), lastSeen: new Date(v.lastSeen) };
  } catch {
    return null;
  }
}

export async function listDevices(store: KvStore, accountId: AccountId): Promise<Device[]> {
  const entries = await store.kvList(DEVICE_NS, accountId);
  return entries
    .flatMap((e) => parse(e.key, e.value) ?? [])
    .sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime());
}

export async function getDevice(store: KvStore, accountId: AccountId, key: string): Promise<Device | null> {
  const e = (await store.kvGet(DEVICE_NS, accountId, [key])).get(key);
  return e ? parse(key, e.value) : null;
}

export async function forgetDevice(store: KvStore, accountId: AccountId, key: string): Promise<boolean> {
  return (await store.kvDelete(DEVICE_NS, accountId, [key])) > 0;
}

/** records logins; one per authenticator (its debounce memory is per process) */
export function createDeviceLog(store: KvStore, now: () => number = Date.now) {
  const recent = new Map<string, { at: number; client: string | null }>();

  async function write(accountId: AccountId, d: Omit<Device, 'firstSeen' | 'lastSeen'>, at: Date): Promise<void> {
    const old = await getDevice(store, accountId, d.key);
    const value: Stored = {
      protocol: d.protocol,
      ip: d.ip,
      credential: d.credential,
      appName: d.appName,
      client: d.client ?? old?.client ?? null,
      firstSeen: (old?.firstSeen ?? at).toISOString(),
      lastSeen: at.toISOString(),
    };
    await store.kvSet(DEVICE_NS, accountId, [{ key: d.key, value: JSON.stringify(value) }], { durable: false });
    if (!old) {
      const all = await listDevices(store, accountId);
      const extra = all.slice(MAX_DEVICES).map((x) => x.key);
      if (extra.length) await store.kvDelete(DEVICE_NS, accountId, extra);
    }
  }

  return {
    /** after a successful login; returns the device key */
    async seen(accountId: AccountId, input: { protocol: AuthProtocol; ip: string; credential: Credential; client?: string | null }): Promise<string> {
      const credential = credentialId(input.credential);
      const key = deviceKey(input.protocol, input.ip, credential);
      const client = cleanClientName(input.client);
      const memo = `${accountId}:${key}`;
      const last = recent.get(memo);
      const t = now();
      if (last && t - last.at < REWRITE_AFTER_MS && (client === null || client === last.client)) return key;
      if (recent.size > 10_000) recent.clear();
      recent.set(memo, { at: t, client: client ?? last?.client ?? null });
      const appName = input.credential.kind === 'app' ? input.credential.name : null;
      await write(accountId, { key, protocol: input.protocol, ip: input.ip, credential, appName, client }, new Date(t));
      return key;
    },
    /** the client named itself after login (IMAP ID) */
    async identify(accountId: AccountId, key: string, client: string): Promise<void> {
      const name = cleanClientName(client);
      if (!name) return;
      const old = await getDevice(store, accountId, key);
      if (!old || old.client === name) return;
      recent.set(`${accountId}:${key}`, { at: now(), client: name });
      await write(accountId, { ...old, client: name }, new Date(now()));
    },
  };
}
