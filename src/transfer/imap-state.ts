/**
 * What an IMAP import remembers between runs, in the target account's keyed state
 * (../store/kv-types.ts, namespace "transfer.imap"; it goes with backups and with the account):
 *   f/<folder>          {source, folder, uidValidity, lastUid, target}: UIDs up to lastUid are done
 *   m/<folder>/<uid>    [[sourceUid, targetUid], …] for one committed batch (flag sync on later runs)
 * <folder> is a hash of server, user and folder name (keys stay short whatever the names).
 * The state and the batch's map are written in one transaction after the batch's messages
 * are committed; a crash in between is repaired by the importer's duplicate check.
 */
import { createHash } from 'node:crypto';
import type { AccountId, Store } from '../store/types.js';

export const IMPORT_NS = 'transfer.imap';

export interface FolderState {
  source: string;
  folder: string;
  uidValidity: number;
  lastUid: number;
  target: string;
}

export function folderKey(source: string, folder: string): string {
  return createHash('sha256').update(`${source}\n${folder}`).digest('hex').slice(0, 32);
}

export async function readState(store: Store, accountId: AccountId, key: string): Promise<FolderState | null> {
  const e = (await store.kvGet(IMPORT_NS, accountId, [`f/${key}`])).get(`f/${key}`);
  if (!e) return null;
  try {
    return JSON.parse(e.value) as FolderState;
  } catch {
    return null;
  }
}

/** records a committed batch: the new state and its UID pairs, in one transaction */
export async function writeState(store: Store, accountId: AccountId, key: string, state: FolderState, pairs: Array<[number, number]>): Promise<void> {
  const entries = [{ key: `f/${key}`, value: JSON.stringify(state) }];
  if (pairs.length > 0) entries.push({ key: `m/${key}/${String(pairs[0]![0]).padStart(10, '0')}`, value: JSON.stringify(pairs) });
  await store.kvSet(IMPORT_NS, accountId, entries);
}

/** source UID → target UID for everything imported from this folder so far */
export async function readMap(store: Store, accountId: AccountId, key: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  let after: string | undefined;
  for (;;) {
    const page = await store.kvList(IMPORT_NS, accountId, { prefix: `m/${key}/`, after, limit: 500 });
    for (const e of page) for (const [s, t] of JSON.parse(e.value) as Array<[number, number]>) out.set(s, t);
    if (page.length < 500) return out;
    after = page[page.length - 1]!.key;
  }
}

/** forgets a folder (its UIDVALIDITY changed: everything is new again) */
export async function resetFolder(store: Store, accountId: AccountId, key: string): Promise<void> {
  const keys = [`f/${key}`];
  for (const e of await store.kvList(IMPORT_NS, accountId, { prefix: `m/${key}/` })) keys.push(e.key);
  await store.kvDelete(IMPORT_NS, accountId, keys);
}
