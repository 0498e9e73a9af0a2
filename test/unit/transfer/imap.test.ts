/**
 * IMAP import against the in-process IMAP server: a crash exactly between a batch's commit
 * and the write of the import state (the worst moment) loses nothing and duplicates
 * nothing on the next run; a folder renumbered at the source (new UIDVALIDITY) is taken
 * again without duplicating what is already there; a target mailbox that already held mail
 * gets new UIDs and says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import type { Store } from '../../../src/store/types.js';
import { connectImap, importImap } from '../../../src/transfer/imap.js';
import { IMPORT_NS } from '../../../src/transfer/imap-state.js';
import { msg, PASS, seed, startServer, USER } from '../../protocol/imap/harness.js';

test('IMAP import: crash between commit and state, resume, renumbered source folder, occupied target', async () => {
  const server = await startServer();
  const target = createMemoryStore();
  try {
    const n = 57;
    await seed(server, 'INBOX', Array.from({ length: n }, (_, i) => msg(`m${i}`, `body ${i}\r\n`)), Array.from({ length: n }, (_, i) => (i % 2 ? ['\\Seen'] : ['k' + (i % 3)])));
    await target.addDomain('t.test');
    const acct = await target.createAccount('t@t.test', 'x');
    const run = async (store: Store) => {
      const client = connectImap({ host: '127.0.0.1', port: server.port, security: 'none', user: USER, pass: PASS });
      await client.connect();
      try {
        return await importImap(store, acct, client, 'src', { batchMessages: 10, maxMessageBytes: 1 << 20, folders: ['INBOX'] });
      } finally {
        await client.logout();
      }
    };
    // the state write of the third batch fails, as if the process died right after the commit
    let writes = 0;
    const failing = new Proxy(target, {
      get: (t, p, rcv) =>
        p === 'kvSet'
          ? async (...args: Parameters<Store['kvSet']>) => {
              if (args[0] === IMPORT_NS && ++writes === 3) throw new Error('simulated crash');
              return t.kvSet(...args);
            }
          : Reflect.get(t, p, rcv),
    });
    await assert.rejects(run(failing), /simulated crash/);
    const inbox = (await target.getMailbox(acct.id, 'INBOX'))!;
    assert.equal((await target.mailboxStatus(acct.id, inbox.id)).messages, 30, 'three batches were committed');
    const [rep] = await run(target);
    assert.equal(rep!.imported, n - 30);
    assert.equal(rep!.duplicates, 10, 'the batch committed without its state was recognised');
    const got = await target.getMessages(acct.id, inbox.id, [[1, Infinity]]);
    assert.deepEqual(got.map((m) => m.uid), Array.from({ length: n }, (_, i) => i + 1));
    const src = server.t.ctx.store;
    const sa = (await src.getAccount(USER))!;
    const sbox = (await src.getMailbox(sa.id, 'INBOX'))!;
    assert.deepEqual(got.map((m) => m.flags), (await src.getMessages(sa.id, sbox.id, [[1, Infinity]])).map((m) => m.flags));
    assert.equal(inbox.uidValidity, sbox.uidValidity);

    // the source folder is renumbered (deleted and recreated with the same messages): nothing doubles
    const raws = await Promise.all(got.map((m) => src.getRaw(sa.id, sbox.id, m.uid)));
    await src.renameMailbox(sa.id, 'INBOX', 'Old');
    await seed(server, 'INBOX', raws.slice(0, 20));
    const [again] = await run(target);
    assert.equal(again!.imported, 0);
    assert.equal(again!.duplicates, 20);
    assert.equal((await target.mailboxStatus(acct.id, inbox.id)).messages, n);

    // a target that already held mail: new UIDs, and a note saying so
    const other = await target.createAccount('u@t.test', 'x');
    const oin = (await target.getMailbox(other.id, 'INBOX'))!;
    await target.append(other.id, oin.id, { raw: Buffer.from('Subject: local\r\n\r\nx\r\n') });
    const client = connectImap({ host: '127.0.0.1', port: server.port, security: 'none', user: USER, pass: PASS });
    await client.connect();
    const [occupied] = await importImap(target, other, client, 'src', { maxMessageBytes: 1 << 20, folders: ['INBOX'] });
    await client.logout();
    assert.equal(occupied!.imported, 20);
    assert.equal(occupied!.uidsKept, false);
    assert.match(occupied!.notes.join(), /already held messages: new UIDs/);
  } finally {
    await target.close();
    await server.close();
  }
});
