/**
 * Integrity operations of the PostgreSQL store (../integrity-types.ts). Bodies are
 * content-addressed, so the content hash of a message is the key of its body (blobs.hash,
 * SHA-256). The checks: the counters the trigger keeps, sizes against bodies, messages and
 * retained messages whose body is missing, bodies nobody uses, and the bytes of bodies that
 * only POP3 retention holds against their hash (messages are checked through the contract).
 * importMessages is appendMany with kept UIDs (./messages.ts).
 */
import { createHash } from 'node:crypto';
import type { IntegrityOps } from '../integrity-types.js';
import type { Db, PgCtx } from './context.js';
import { selectRows } from './rows.js';

const LIST_MAX = 20;

export function integrityOps(ctx: PgCtx): Omit<IntegrityOps, 'importMessages'> {
  async function each<T>(db: Db, problems: string[], sql: string, line: (r: T) => string): Promise<void> {
    const rows = await db.q<T>(sql);
    for (const r of rows.slice(0, LIST_MAX)) problems.push(line(r));
    if (rows.length > LIST_MAX) problems.push(`… and ${rows.length - LIST_MAX} more of the same kind`);
  }

  return {
    async contentHashes(accountId, mailboxId, uids) {
      await ctx.mailbox(ctx, accountId, mailboxId);
      const rows = await selectRows<{ uid: number; blob_hash: Buffer }>(ctx, accountId, mailboxId, uids, 'uid, blob_hash');
      return rows.map((r) => ({ uid: r.uid, sha256: r.blob_hash.toString('hex') }));
    },
    async checkStorage() {
      // one snapshot for every query while servers keep writing
      return ctx.tx(async (db) => {
        await db.q('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const problems: string[] = [];
        await each<{ name: string; account: string; messages: number; n: number; unseen: number; nu: number; deleted: number; nd: number; size: number; ns: number }>(
          db,
          problems,
          `SELECT mb.name, a.address AS account, mb.messages, c.n, mb.unseen, c.nu, mb.deleted, c.nd, mb.size, c.ns
           FROM mailboxes mb JOIN accounts a ON a.id = mb.account_id
           JOIN (SELECT mb2.account_id, mb2.id, count(m.uid) AS n, count(m.uid) FILTER (WHERE NOT m.seen) AS nu,
                        count(m.uid) FILTER (WHERE m.deleted) AS nd, coalesce(sum(m.size), 0)::bigint AS ns
                 FROM mailboxes mb2 LEFT JOIN messages m ON m.account_id = mb2.account_id AND m.mailbox_id = mb2.id
                 GROUP BY mb2.account_id, mb2.id) c ON c.account_id = mb.account_id AND c.id = mb.id
           WHERE mb.messages <> c.n OR mb.unseen <> c.nu OR mb.deleted <> c.nd OR mb.size <> c.ns`,
          (r) =>
            `${r.account} ${r.name}: stored counters (messages ${r.messages}, unseen ${r.unseen}, deleted ${r.deleted}, size ${r.size}) ` +
            `differ from its messages (${r.n}, ${r.nu}, ${r.nd}, ${r.ns})`,
        );
        await each<{ account_id: number; mailbox_id: number; uid: number }>(
          db,
          problems,
          `SELECT m.account_id, m.mailbox_id, m.uid FROM messages m
           WHERE NOT EXISTS (SELECT 1 FROM mailboxes mb WHERE mb.account_id = m.account_id AND mb.id = m.mailbox_id)`,
          (r) => `account ${r.account_id} mailbox ${r.mailbox_id} UID ${r.uid}: the message belongs to no mailbox of its account`,
        );
        await each<{ name: string; uid: number; size: number; bsize: number | null; rlen: number | null }>(
          db,
          problems,
          `SELECT mb.name, m.uid, m.size, b.size AS bsize, length(b.raw) AS rlen FROM messages m
           JOIN mailboxes mb ON mb.account_id = m.account_id AND mb.id = m.mailbox_id
           LEFT JOIN blobs b ON b.account_id = m.account_id AND b.hash = m.blob_hash
           WHERE b.hash IS NULL OR m.size <> b.size OR b.size <> length(b.raw)`,
          (r) => (r.bsize === null ? `${r.name} UID ${r.uid}: the body is missing` : `${r.name} UID ${r.uid}: recorded size ${r.size} differs from its body (${r.rlen} bytes)`),
        );
        await each<{ address: string; guid: string }>(
          db,
          problems,
          `SELECT a.address, r.guid FROM retained r JOIN accounts a ON a.id = r.account_id
           LEFT JOIN blobs b ON b.account_id = r.account_id AND b.hash = r.blob_hash WHERE b.hash IS NULL`,
          (r) => `${r.address}: POP3-retained message ${r.guid} has lost its body`,
        );
        const [o] = await db.q<{ n: number }>(
          `SELECT count(*)::bigint AS n FROM blobs b
           WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = b.account_id AND m.blob_hash = b.hash)
             AND NOT EXISTS (SELECT 1 FROM retained r WHERE r.account_id = b.account_id AND r.blob_hash = b.hash)`,
        );
        if (o!.n > 0) problems.push(`${o!.n} stored bodies belong to no message (space not reclaimed)`);
        const retained = await db.q<{ address: string; guid: string; hash: Buffer; raw: Buffer }>(
          `SELECT a.address, r.guid, b.hash, b.raw FROM retained r JOIN accounts a ON a.id = r.account_id
           JOIN blobs b ON b.account_id = r.account_id AND b.hash = r.blob_hash
           WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id = b.account_id AND m.blob_hash = b.hash)`,
        );
        let bad = 0;
        for (const r of retained) {
          if (createHash('sha256').update(r.raw).digest().equals(r.hash)) continue;
          if (++bad <= LIST_MAX) problems.push(`${r.address}: POP3-retained message ${r.guid} no longer matches its content hash`);
        }
        if (bad > LIST_MAX) problems.push(`… and ${bad - LIST_MAX} more retained messages that do not match`);
        return { value: problems, changes: [] };
      });
    },
  };
}
