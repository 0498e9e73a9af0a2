/** Shared set-up for POP3 protocol tests: a test context, a user, a listener, seeded INBOX. */
import { makeTestContext, type TestContext, type TestBackend } from '../../helpers/context.js';
import { handlePop3Connection } from '../../../src/pop3/server.js';
import type { ServerContext } from '../../../src/context.js';
import type { TlsMode } from '../../../src/config/schema.js';
import type { Account } from '../../../src/store/types.js';

export const USER = 'alice@example.test';
export const PASS = 'correct horse battery';

export interface Pop3Fixture {
  t: TestContext;
  account: Account;
  port: number;
  inboxId: number;
  /** appends raw messages to INBOX; returns their UIDs */
  seed(...raws: Array<string | Buffer>): Promise<number[]>;
  close(): Promise<void>;
}

export function message(n: number, extra = ''): string {
  return `From: bob@example.test\r\nTo: ${USER}\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@example.test>\r\n\r\nHello ${n}\r\n${extra}`;
}

export async function pop3Fixture(
  opts: {
    config?: Record<string, unknown>;
    backend?: TestBackend;
    tls?: TlsMode;
    plaintext?: boolean;
    /** wraps the context given to the handler (e.g. to replace the shutdown signal) */
    wrap?: (ctx: ServerContext) => ServerContext;
  } = {},
): Promise<Pop3Fixture> {
  const config = {
    ...(opts.plaintext === false ? {} : { auth: { plaintext_allowed_from: ['127.0.0.1'] } }),
    ...opts.config,
  };
  const t = await makeTestContext({ config, backend: opts.backend });
  const account = await t.addUser(USER, PASS);
  const ctx = opts.wrap ? opts.wrap(t.ctx) : t.ctx;
  const l = await t.listen('pop3', opts.tls ?? 'none', (s, info) => handlePop3Connection(s, info, ctx));
  const inbox = (await t.ctx.store.getMailbox(account.id, 'INBOX'))!;
  return {
    t,
    account,
    port: l.port,
    inboxId: inbox.id,
    async seed(...raws) {
      const uids: number[] = [];
      for (const r of raws) {
        const res = await t.ctx.store.append(account.id, inbox.id, { raw: Buffer.isBuffer(r) ? r : Buffer.from(r) });
        uids.push(res.uid);
      }
      return uids;
    },
    close: () => t.close(),
  };
}
