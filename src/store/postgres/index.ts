/**
 * The PostgreSQL backend: several letterbox nodes on one database (store.backend =
 * "postgres", store.postgres.url, or the usual PG* environment variables).
 *
 * - `pg` with a pool; each mutation is one transaction (context.ts: locking, retries,
 *   durability); versioned migrations (migrations.ts: schema, Citus layout, why bodies
 *   are content-addressed per account).
 * - Changes reach the other nodes with NOTIFY, sent inside the committing transaction (so
 *   they are delivered at commit, in commit order) and heard on one LISTEN connection per
 *   node, opened while anybody here subscribes; ../feed.ts keeps them in MODSEQ order and
 *   repairs gaps (and a lost LISTEN connection) by reading the store.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { createFeedBus, decodeFeed, encodeFeed } from '../feed.js';
import { StoreError, type Store } from '../types.js';
import { adminOps } from './admin.js';
import { createPgCtx, PG_TYPES } from './context.js';
import { kvOps } from './kv.js';
import { integrityOps } from './integrity.js';
import { leaseOps } from './lease.js';
import { mailboxOps } from './mailboxes.js';
import { messageOps } from './messages.js';
import { migratePg } from './migrations.js';
import { pop3Ops } from './pop3.js';
import { queueOps } from './queue.js';
import { sortOps } from './sort.js';

export const PG_CHANNEL = 'letterbox_changes';

export interface PostgresStoreOptions {
  log?: Logger;
  /** MIME nesting indexed at delivery (limits.mime_depth) */
  mimeDepth?: number;
  /** connections in the pool (default 10) */
  poolSize?: number;
  /** mailboxes per account at most (limits.mailboxes_per_account); unset: no cap */
  maxMailboxes?: number;
}

/** "postgres://user:secret@host/db" without the password, for messages and logs */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

/** Opens (migrating as needed) the store in the database at `url` ("" = PG* environment variables). */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const log = opts.log;
  const config: pg.PoolConfig = { max: opts.poolSize ?? 10, types: PG_TYPES, application_name: 'letterbox' };
  if (url) config.connectionString = url;
  const pool = new pg.Pool(config);
  // an idle client that loses its connection must not crash the process
  pool.on('error', (err) => log?.warn({ err: err.message }, 'store: an idle PostgreSQL connection failed; it will be replaced'));
  try {
    const applied = await migratePg(pool);
    if (applied.length) log?.info({ versions: applied }, 'store: PostgreSQL schema migrated');
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof StoreError) throw err;
    throw new Error(`cannot open the PostgreSQL store ${redactUrl(url || '(PG* environment)')}: ${(err as Error).message} (check store.postgres.url, that the server runs and the role may connect and create tables)`, {
      cause: err,
    });
  }

  const node = `${process.pid}-${randomBytes(6).toString('hex')}`;
  let store: Store | null = null;
  const feed = createFeedBus(() => store!, log);
  const ctx = createPgCtx(pool, (changes) => encodeFeed(node, changes), (changes) => feed.local(changes), log);

  // the LISTEN connection, open while anybody here subscribes
  let listener: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let retry: NodeJS.Timeout | null = null;
  let lost = false;
  const listen = () => {
    if (listener || connecting || ctx.closed) return;
    const client = new pg.Client({ ...config, application_name: 'letterbox-listen' } as pg.ClientConfig);
    connecting = (async () => {
      try {
        await client.connect();
        client.on('notification', (n) => {
          if (n.channel !== PG_CHANNEL || !n.payload) return;
          const msg = decodeFeed(n.payload);
          if (msg && msg.node !== node) feed.remote(msg);
        });
        client.on('error', (err) => {
          log?.warn({ err: err.message }, 'store: the PostgreSQL LISTEN connection failed; reconnecting (sessions catch up from the store)');
          drop(client);
        });
        client.on('end', () => drop(client));
        await client.query(`LISTEN ${PG_CHANNEL}`);
        listener = client;
        if (lost) feed.resync(); // notifications were missed while disconnected
        lost = false;
      } catch (err) {
        log?.warn({ err: (err as Error).message }, 'store: cannot LISTEN for changes from other nodes; retrying');
        drop(client);
      } finally {
        connecting = null;
      }
    })();
  };
  const drop = (client: pg.Client) => {
    if (listener === client) listener = null;
    lost = true;
    client.end().catch(() => undefined);
    if (!ctx.closed && feed.subscriberCount() > 0 && !retry) {
      retry = setTimeout(() => {
        retry = null;
        listen();
      }, 1000);
      retry.unref();
    }
  };

  const bus = {
    subscribe: (accountId: number, l: Parameters<typeof feed.subscribe>[1]) => {
      const unsub = feed.subscribe(accountId, l);
      listen();
      return unsub;
    },
    publish: (changes: Parameters<typeof feed.publish>[0]) => feed.publish(changes),
  };

  const s: Store & { feedIdle(): Promise<void> } = {
    bus,
    ...adminOps(ctx),
    ...mailboxOps(ctx, opts.maxMailboxes),
    ...messageOps(ctx, opts.mimeDepth),
    ...pop3Ops(ctx),
    ...queueOps(ctx),
    ...kvOps(ctx),
    ...integrityOps(ctx),
    ...leaseOps(ctx),
    ...sortOps(ctx),
    async close() {
      if (ctx.closed) return;
      ctx.closed = true;
      if (retry) clearTimeout(retry);
      await connecting;
      await listener?.end().catch(() => undefined);
      listener = null;
      await pool.end();
    },
    feedIdle: async () => {
      await connecting;
      await feed.idle();
    },
  };
  store = s;
  return s;
}
