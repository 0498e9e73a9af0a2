/**
 * Security review: no path from one account to another's data through the store, on both
 * backends. Complements test/unit/store/contract.ts ("a foreign mailbox id is NONEXISTENT
 * everywhere") with the remaining entry points: move into a foreign mailbox, appendMany,
 * POP3 delete/restore with another account's UIDs/guids, delivery targets whose mailbox
 * belongs to someone else.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError, type Store } from '../../src/store/types.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { inboxId, rawMessage, seedAccount } from '../unit/store/fixtures.js';

async function rejectsCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected StoreError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

const backends: Array<[string, () => Promise<{ store: Store; cleanup: () => Promise<void> }>]> = [
  ['memory', async () => {
    const store = createMemoryStore();
    return { store, cleanup: () => store.close() };
  }],
  ['sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'letterbox-sec-'));
    const store = await openSqliteStore(dir);
    return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  }],
];

for (const [name, factory] of backends) {
  describe(`security: store account isolation (${name})`, () => {
    async function setup(fn: (s: { store: Store; a: number; b: number; aInbox: number; bInbox: number }) => Promise<void>) {
      const { store, cleanup } = await factory();
      try {
        const a = (await seedAccount(store, 'a@example.test')).id;
        const b = (await seedAccount(store, 'b@example.test')).id;
        await fn({ store, a, b, aInbox: await inboxId(store, a), bInbox: await inboxId(store, b) });
      } finally {
        await cleanup();
      }
    }

    it('move and appendMany into a foreign mailbox are NONEXISTENT and change nothing', () =>
      setup(async ({ store, a, b, aInbox, bInbox }) => {
        await store.append(a, aInbox, { raw: rawMessage({ subject: 'mine' }) });
        await rejectsCode(store.move(a, aInbox, [1], bInbox), 'NONEXISTENT');
        await rejectsCode(store.appendMany(a, bInbox, [{ raw: rawMessage() }]), 'NONEXISTENT');
        await rejectsCode(store.expunge(a, bInbox, [1]), 'NONEXISTENT');
        assert.equal((await store.mailboxStatus(a, aInbox)).messages, 1);
        assert.equal((await store.mailboxStatus(b, bInbox)).messages, 0);
      }));

    it('optional readers (getFlags) refuse a foreign mailbox id too', () =>
      setup(async ({ store, a, b, bInbox }) => {
        await store.append(b, bInbox, { raw: rawMessage({ subject: 'secret' }), flags: ['$Secret'] });
        if (!store.getFlags) return;
        await rejectsCode(store.getFlags(a, bInbox, [1]), 'NONEXISTENT');
      }));

    it('POP3 delete with UIDs of another account touches only the caller\'s INBOX', () =>
      setup(async ({ store, a, b, bInbox }) => {
        await store.append(b, bInbox, { raw: rawMessage({ subject: 'b1' }) });
        await store.append(b, bInbox, { raw: rawMessage({ subject: 'b2' }) });
        for (const policy of ['expunge', 'trash', 'retain', 'hide'] as const) {
          await store.pop3Delete(a, [1, 2], policy, 7);
        }
        assert.equal((await store.mailboxStatus(b, bInbox)).messages, 2);
        assert.equal((await store.pop3List(b)).length, 2);
        assert.equal((await store.pop3List(a)).length, 0);
      }));

    it('POP3 restore with another account\'s retained guids restores nothing into the caller', () =>
      setup(async ({ store, a, b, aInbox, bInbox }) => {
        await store.append(b, bInbox, { raw: rawMessage({ subject: 'secret' }) });
        await store.pop3Delete(b, [1], 'retain', 7);
        const retained = await store.listRetained(b);
        assert.equal(retained.length, 1);
        assert.deepEqual(await store.listRetained(a), []);
        const n = await store.pop3Restore(a, retained.map((r) => r.guid));
        assert.equal(n, 0);
        assert.equal((await store.mailboxStatus(a, aInbox)).messages, 0);
        assert.equal((await store.listRetained(b)).length, 1);
      }));

    it('deliver with a mailbox id of another account does not land in that mailbox', async () => {
      const { store, cleanup } = await factory();
      try {
        const a = (await seedAccount(store, 'a@example.test')).id;
        const b = (await seedAccount(store, 'b@example.test')).id;
        const bInbox = await inboxId(store, b);
        const r = await store.deliver([{ accountId: a, mailboxId: bInbox }], rawMessage());
        assert.equal(r.length, 1);
        assert.equal((await store.mailboxStatus(b, bInbox)).messages, 0, 'foreign mailbox got the message');
      } finally {
        await cleanup();
      }
    });
  });
}
