/**
 * Integrity operations of the SQLite store (../integrity-types.ts): content hashes kept in
 * blobs.sha256, the checks only SQL can see (file integrity, foreign keys, the counters the
 * triggers keep, message rows against their mailbox, retained bodies, orphans), and the
 * UID-keeping import.
 */
import type { IntegrityOps } from '../integrity-types.js';
import type { Ctx } from './context.js';
import { appendInputs } from './messages.js';
import type { ParsePool } from './parse-pool.js';
import { contentHash, selectRows } from './rows.js';

/** how many problems of one kind are listed before "… and N more" */
const LIST_MAX = 20;

export function integrityOps(ctx: Ctx, pool: ParsePool): IntegrityOps {
  const { q } = ctx;

  /** runs `sql` and turns each row into a problem line; long lists are cut */
  function each<T>(problems: string[], sql: string, line: (r: T) => string, ...params: unknown[]): void {
    const rows = q(sql).all(...params) as T[];
    for (const r of rows.slice(0, LIST_MAX)) problems.push(line(r));
    if (rows.length > LIST_MAX) problems.push(`… and ${rows.length - LIST_MAX} more of the same kind`);
  }

  return {
    async contentHashes(accountId, mailboxId, uids) {
      ctx.mailbox(accountId, mailboxId);
      const hash = q('SELECT sha256 FROM blobs WHERE id = ?').pluck(true);
      return selectRows<{ uid: number; blob_id: number }>(ctx, mailboxId, uids, 'uid, blob_id').map((r) => ({
        uid: r.uid,
        sha256: (hash.get(r.blob_id) as string | null | undefined) ?? null,
      }));
    },

    async checkStorage() {
      ctx.open();
      const problems: string[] = [];
      // one read transaction: every query sees the same snapshot while a server writes on
      ctx.db.transaction(() => {
        const integrity = ctx.db.pragma('integrity_check', { simple: false }) as Array<{ integrity_check: string }>;
        for (const r of integrity.slice(0, LIST_MAX)) if (r.integrity_check !== 'ok') problems.push(`SQLite integrity check: ${r.integrity_check}`);
        const fk = ctx.db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
        for (const r of fk.slice(0, LIST_MAX)) problems.push(`a row of ${r.table} refers to a missing row of ${r.parent}`);
        each<{ name: string; account: string; messages: number; n: number; unseen: number; nu: number; deleted: number; nd: number; size: number; ns: number }>(
          problems,
          `SELECT mb.name, a.address AS account, mb.messages, c.n, mb.unseen, c.nu, mb.deleted, c.nd, mb.size, c.ns
           FROM mailboxes mb JOIN accounts a ON a.id = mb.account_id
           JOIN (SELECT mb2.id, count(m.uid) AS n, coalesce(sum(1 - m.seen), 0) AS nu, coalesce(sum(m.deleted), 0) AS nd, coalesce(sum(m.size), 0) AS ns
                 FROM mailboxes mb2 LEFT JOIN messages m ON m.mailbox_id = mb2.id GROUP BY mb2.id) c ON c.id = mb.id
           WHERE mb.messages <> c.n OR mb.unseen <> c.nu OR mb.deleted <> c.nd OR mb.size <> c.ns`,
          (r) =>
            `${r.account} ${r.name}: stored counters (messages ${r.messages}, unseen ${r.unseen}, deleted ${r.deleted}, size ${r.size}) ` +
            `differ from its messages (${r.n}, ${r.nu}, ${r.nd}, ${r.ns})`,
        );
        each<{ address: string; used_bytes: number; actual: number }>(
          problems,
          `SELECT address, used_bytes, actual FROM (SELECT a.address, a.used_bytes,
             coalesce((SELECT sum(size) FROM messages WHERE account_id = a.id), 0) +
             coalesce((SELECT sum(b.size) FROM retained r JOIN blobs b ON b.id = r.blob_id WHERE r.account_id = a.id), 0) AS actual
           FROM accounts a) WHERE used_bytes <> actual`,
          (r) => `${r.address}: used_bytes ${r.used_bytes} differs from the size of its messages and POP3-retained messages (${r.actual})`,
        );
        each<{ name: string; uid: number }>(
          problems,
          `SELECT mb.name, m.uid FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id WHERE m.account_id <> mb.account_id`,
          (r) => `${r.name} UID ${r.uid}: the message row names another account than its mailbox`,
        );
        each<{ name: string; uid: number; size: number; bsize: number }>(
          problems,
          `SELECT mb.name, m.uid, m.size, b.size AS bsize FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id
           JOIN blobs b ON b.id = m.blob_id WHERE m.size <> b.size OR b.size <> length(b.raw)`,
          (r) => `${r.name} UID ${r.uid}: recorded size ${r.size} differs from its body (${r.bsize} bytes)`,
        );
        each<{ address: string; guid: string }>(
          problems,
          `SELECT a.address, r.guid FROM retained r JOIN accounts a ON a.id = r.account_id LEFT JOIN blobs b ON b.id = r.blob_id WHERE b.id IS NULL`,
          (r) => `${r.address}: POP3-retained message ${r.guid} has lost its body`,
        );
        const orphans = q(
          `SELECT count(*) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM messages WHERE blob_id = b.id)
           AND NOT EXISTS (SELECT 1 FROM retained WHERE blob_id = b.id)`,
        ).pluck(true).get() as number;
        if (orphans > 0) problems.push(`${orphans} stored bodies belong to no message (space not reclaimed)`);
        const unhashed = q('SELECT count(*) FROM blobs WHERE sha256 IS NULL').pluck(true).get() as number;
        if (unhashed > 0) problems.push(`${unhashed} stored bodies have no content hash`);
      })();
      // bodies only POP3 retention holds: hashed here (messages are checked through the contract)
      const retained = q(
        `SELECT a.address, r.guid, b.id, b.sha256 FROM retained r JOIN accounts a ON a.id = r.account_id JOIN blobs b ON b.id = r.blob_id
         WHERE NOT EXISTS (SELECT 1 FROM messages WHERE blob_id = b.id)`,
      ).all() as Array<{ address: string; guid: string; id: number; sha256: string | null }>;
      const raw = q('SELECT raw FROM blobs WHERE id = ?').pluck(true);
      let bad = 0;
      for (const r of retained) {
        const bytes = raw.get(r.id) as Buffer | undefined;
        if (!bytes || r.sha256 === null || contentHash(bytes) === r.sha256) continue;
        if (++bad <= LIST_MAX) problems.push(`${r.address}: POP3-retained message ${r.guid} no longer matches its content hash`);
      }
      if (bad > LIST_MAX) problems.push(`… and ${bad - LIST_MAX} more retained messages that do not match`);
      return problems;
    },

    importMessages(accountId, mailboxId, inputs, opts) {
      return appendInputs(ctx, pool, accountId, mailboxId, inputs, opts);
    },
  };
}
