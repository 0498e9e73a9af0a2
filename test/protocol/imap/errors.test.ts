/**
 * Error mapping (src/imap/session/errors.ts): typed store errors become response codes, anything
 * unexpected becomes NO [SERVERBUG] without dropping the connection.
 */
import { after, before, describe, it } from 'node:test';
import { startServer, transcript, type ImapServer } from './harness.js';
import { StoreError } from '../../../src/store/types.js';

describe('imap error mapping', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('maps store errors to response codes and survives unexpected exceptions', async () => {
    const store = server.t.ctx.store;
    const original = { create: store.createMailbox, list: store.listMailboxes, status: store.mailboxStatus };
    store.createMailbox = async (_a, name) => {
      if (name === 'quota') throw new StoreError('OVERQUOTA', 'Mailbox quota exceeded');
      if (name === 'limit') throw new StoreError('LIMIT', 'Too many mailboxes');
      if (name === 'busy') throw new StoreError('INUSE', 'Mailbox is being changed by another session');
      if (name === 'temp') throw new StoreError('TEMP', 'Store temporarily unavailable');
      throw new StoreError('NOPERM', 'Not allowed');
    };
    store.listMailboxes = async () => {
      throw new TypeError('boom');
    };
    try {
      const c = await server.login();
      await transcript(
        c,
        `C: e1 CREATE quota
         S: e1 NO [OVERQUOTA] Mailbox quota exceeded
         C: e2 CREATE limit
         S: e2 NO [LIMIT] Too many mailboxes
         C: e3 CREATE busy
         S: e3 NO [INUSE] Mailbox is being changed by another session
         C: e4 CREATE temp
         S: e4 NO [UNAVAILABLE] Store temporarily unavailable
         C: e5 CREATE other
         S: e5 NO [CANNOT] Not allowed
         C: e6 LIST "" *
         S: e6 NO [SERVERBUG] Internal server error; the operator can find details in the log
         C: e7 NOOP
         S: e7 OK NOOP completed`,
      );
    } finally {
      store.createMailbox = original.create;
      store.listMailboxes = original.list;
    }
  });
});
