/**
 * In-memory reference backend: the whole contract of ../types.ts with no persistence.
 * Protocol tests run against it; test/unit/store/contract.ts runs the same suite against
 * it and the SQLite backend. Each mutation runs synchronously inside its async method (so
 * it is atomic with respect to other calls), then publishes its changes on the bus.
 */
import type { Store } from '../types.js';
import type { Summarizer } from '../summary-types.js';
import { adminOps } from './admin.js';
import { createMemCtx } from './context.js';
import { mailboxOps } from './mailboxes.js';
import { messageOps } from './messages.js';
import { pop3Ops } from './pop3.js';
import { queueOps } from './queue.js';
import { kvOps } from './kv.js';
import { integrityOps } from './integrity.js';
import { sortOps } from './sort.js';
import { leaseOps } from './lease.js';

export interface MemoryStoreOptions {
  /** MIME nesting indexed at append (limits.mime_depth) */
  mimeDepth?: number;
  /** mailboxes per account at most (limits.mailboxes_per_account); unset: no cap */
  maxMailboxes?: number;
  /** the protocol's summary of each stored message (../summary-types.ts); none without it */
  summarizer?: Summarizer;
}

export function createMemoryStore(opts: MemoryStoreOptions = {}): Store {
  const m = createMemCtx(opts.mimeDepth);
  return {
    bus: m.bus,
    ...adminOps(m),
    ...mailboxOps(m, opts.maxMailboxes),
    ...messageOps(m, opts.summarizer),
    ...pop3Ops(m),
    ...queueOps(m),
    ...kvOps(m),
    ...integrityOps(m),
    ...sortOps(m),
    ...leaseOps(m),
    async close() {
      m.closed = true;
    },
  };
}
