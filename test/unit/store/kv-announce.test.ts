/**
 * Keyed-state writes that announce changes (KvOps `announce`, used by METADATA for NOTIFY):
 * the change is published with the write on every backend, and reaches a second store
 * instance on the same data — SQLite's change log, PostgreSQL's LISTEN/NOTIFY — as it does
 * for `serve --workers` and several nodes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import type { Change, Store } from '../../../src/store/types.js';
import { havePostgres } from '../../helpers/pg-cluster.js';
import { withTwoPostgresStores, withTwoSqliteStores } from './two-stores.js';
import { inboxId, rawMessage, seedAccount } from './fixtures.js';

async function heard(got: Change[], n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

/** `writer` announces, `listener` (the same store or another instance on its data) hears it once per write, with nothing else */
async function check(writer: Store, listener: Store): Promise<void> {
  const a = (await writer.getAccount('bob@example.test')) ?? (await seedAccount(writer));
  const inbox = await inboxId(writer, a.id);
  const got: Change[] = [];
  const off = listener.bus.subscribe(a.id, (c) => got.push(...c));
  // PostgreSQL: the first subscriber starts the LISTEN connection; what commits before it is
  // up reaches no one (a later change's MODSEQ gap would repair messages, not this test's prime)
  await (listener as Store & { feedIdle?: () => Promise<void> }).feedIdle?.();
  try {
    // the listener's feed is up once it hears an ordinary change (a new node listens from its first subscriber on)
    await writer.append(a.id, inbox, { raw: rawMessage({ subject: 'prime' }) });
    await heard(got, 1);
    assert.equal(got.splice(0).length, 1);
    const change: Change = { kind: 'metadata', accountId: a.id, mailboxId: inbox, modseq: 0, entries: ['/private/comment'], origin: 'test' };
    await writer.kvSet('imap.metadata', a.id, [{ key: `M${inbox}/private/comment`, value: 'thi' }], { announce: [change] });
    await heard(got, 1);
    await writer.kvDelete('imap.metadata', a.id, [`M${inbox}/private/comment`], { announce: [{ ...change, mailboxId: 0, entries: ['/private/x'] }] });
    await heard(got, 2);
    // a write without announce publishes nothing
    await writer.kvSet('imap.metadata', a.id, [{ key: 'S/private/y', value: 'tz' }]);
    assert.deepEqual(
      got.map((c) => (c.kind === 'metadata' ? [c.mailboxId, c.entries, c.origin] : c.kind)),
      [
        [inbox, ['/private/comment'], 'test'],
        [0, ['/private/x'], 'test'],
      ],
    );
  } finally {
    off();
  }
}

describe('keyed-state writes announce changes', () => {
  it('memory', async () => {
    const s = createMemoryStore();
    await seedAccount(s);
    await check(s, s);
  });

  it('sqlite: heard by another store instance on the same data directory', () =>
    withTwoSqliteStores(async (a, b) => {
      await seedAccount(a);
      await check(a, b);
    }));

  it('postgres: heard by another node through LISTEN/NOTIFY', { skip: !havePostgres() && 'PostgreSQL not installed' }, () =>
    withTwoPostgresStores('kvann', async (a, b) => {
      await seedAccount(a);
      await check(a, b);
    }));
});
