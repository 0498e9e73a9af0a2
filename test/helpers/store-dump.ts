/**
 * Everything a store holds, read through the contract into plain data, so two stores
 * can be compared with deepEqual (backup/restore, import/export round trips). Raw bodies
 * appear as SHA-256 hex plus length, compared byte-exact that way.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../src/store/types.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** every namespace the dump reads keyed state from (kvList needs a namespace) */
export async function dumpStore(store: Store, kvNamespaces: string[] = []): Promise<unknown> {
  const accounts = [];
  for (const a of await store.listAccounts()) {
    const mailboxes = [];
    for (const mb of await store.listMailboxes(a.id)) {
      const metas = await store.getMessages(a.id, mb.id, [[1, Infinity]]);
      const hashes = await store.contentHashes(a.id, mb.id, [[1, Infinity]]);
      const messages = [];
      for (const m of metas) {
        const raw = await store.getRaw(a.id, mb.id, m.uid);
        messages.push({ ...m, internalDate: m.internalDate.toISOString(), raw: `${raw.length}:${sha(raw)}`, recorded: hashes.find((h) => h.uid === m.uid)?.sha256 });
      }
      const status = await store.mailboxStatus(a.id, mb.id);
      mailboxes.push({
        ...mb,
        id: undefined,
        accountId: undefined,
        status: { messages: status.messages, unseen: status.unseen, deleted: status.deleted, size: status.size },
        expunged: await store.expungedSince(a.id, mb.id, 0),
        messages,
      });
    }
    const kv: Record<string, unknown> = {};
    for (const ns of kvNamespaces) kv[ns] = (await store.kvList(ns, a.id)).map((e) => ({ ...e, updatedAt: e.updatedAt.toISOString(), expiresAt: e.expiresAt?.toISOString() ?? null }));
    accounts.push({
      ...a,
      createdAt: a.createdAt.toISOString(),
      used: await store.usedBytes(a.id),
      subscriptions: (await store.listSubscriptions(a.id)).sort(),
      retained: (await store.listRetained(a.id)).map((r) => ({ ...r, deletedAt: r.deletedAt.toISOString(), purgeAfter: r.purgeAfter.toISOString() })),
      pop3: await store.pop3List(a.id),
      mailboxes,
      kv,
    });
  }
  const queue = [];
  for (const q of await store.listQueue()) queue.push({ ...q, raw: sha(await store.getQueueRaw(q.id)) });
  const serverKv: Record<string, unknown> = {};
  for (const ns of kvNamespaces) serverKv[ns] = (await store.kvList(ns, null)).map((e) => ({ ...e, updatedAt: e.updatedAt.toISOString() }));
  return {
    domains: (await store.listDomains()).map((d) => ({ ...d, createdAt: d.createdAt.toISOString() })),
    aliases: await store.listAliases(),
    accounts,
    queue: JSON.parse(JSON.stringify(queue)),
    serverKv,
  };
}
