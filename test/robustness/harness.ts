/**
 * Robustness harness: the real IMAP, POP3 and SMTP handlers on loopback listeners over one
 * test context (memory or SQLite store), a raw byte-level client that never interprets what
 * it receives, a recorder for uncaught exceptions / unhandled rejections, a seeded RNG, and
 * the after-each checks every hostile case ends with:
 *   - the process recorded no uncaught exception or unhandled rejection;
 *   - every protocol still answers a fresh connection;
 *   - the seeded message is still byte-exact (store + IMAP FETCH BODY[] + POP3 RETR).
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { handleImapConnection } from '../../src/imap/server.js';
import { handlePop3Connection } from '../../src/pop3/server.js';
import { startSmtp } from '../../src/smtp/server.js';
import type { Account } from '../../src/store/types.js';

export const USER = 'alice@example.test';
export const PASS = 'correct horse battery';

/** A message with everything that tends to get "normalised": 8-bit bytes, a bare LF, a lone
 * dot line, a line starting with a dot, trailing spaces, no final CRLF. */
export const SEEDED = Buffer.concat([
  Buffer.from(
    'From: Bob <bob@example.test>\r\nTo: Alice <alice@example.test>\r\nSubject: seeded =?utf-8?q?caf=C3=A9?=\r\n' +
      'Message-ID: <seeded@example.test>\r\nContent-Type: text/plain; charset=latin1\r\n\r\n' +
      'line one   \r\n.\r\n..two dots\r\nbare lf here\nthen\r\n',
  ),
  Buffer.from([0xe9, 0xe8, 0xff, 0x0d, 0x0a]),
  Buffer.from('last line without CRLF'),
]);

export { recordCrashes, rng, RawClient, type CrashRecorder } from './raw.js';
import { recordCrashes, RawClient, type CrashRecorder } from './raw.js';

// ───────────── the fixture: three protocols over one store ─────────────

export interface Fixture {
  t: TestContext;
  account: Account;
  inboxId: number;
  seededUid: number;
  imapPort: number;
  pop3Port: number;
  smtpPort: number;
  /** 587-style submission (STARTTLS offered; plaintext AUTH allowed from 127.0.0.1) */
  submissionPort: number;
  recorder: CrashRecorder;
  /** connected + greeted + logged-in IMAP client (tag L) */
  imapLogin(): Promise<RawClient>;
  /** connected + greeted IMAP client */
  imapConnect(): Promise<RawClient>;
  pop3Connect(): Promise<RawClient>;
  pop3Login(): Promise<RawClient>;
  smtpConnect(): Promise<RawClient>;
  inboxCount(): Promise<number>;
  /** the after-each checks: no crash, all protocols answer, seeded message intact */
  assertHealthy(): Promise<void>;
  close(): Promise<void>;
}

/** small limits so "beyond the limit" stays cheap; failed-login throttling off (garbage AUTH is expected) */
export const LIMITS = {
  line_length: 8192,
  literal_size: 1024 * 1024,
  message_size: 1024 * 1024,
  failed_logins_per_ip: 1_000_000,
  failed_logins_per_account: 1_000_000,
  smtp_messages_per_ip_per_minute: 1_000_000,
  connections_per_ip: 1000,
};

export async function startFixture(backend: 'memory' | 'sqlite' = 'memory'): Promise<Fixture> {
  const recorder = recordCrashes();
  const t = await makeTestContext({
    backend,
    config: {
      auth: { plaintext_allowed_from: ['127.0.0.1'] },
      limits: LIMITS,
      smtp: { verify_inbound: false },
    },
  });
  const account = await t.addUser(USER, PASS);
  const inbox = (await t.ctx.store.getMailbox(account.id, 'INBOX'))!;
  const { uid } = await t.ctx.store.append(account.id, inbox.id, { raw: SEEDED, flags: [] });
  const imap = await t.listen('imap', 'none', (s, i) => handleImapConnection(s, i, t.ctx));
  const pop3 = await t.listen('pop3', 'none', (s, i) => handlePop3Connection(s, i, t.ctx));
  const offline = async (name: string) => {
    throw Object.assign(new Error(`offline: ${name}`), { code: 'ENOTFOUND' });
  };
  const smtp = await startSmtp(t.ctx, 'smtp', { address: '127.0.0.1', port: 0, tls: 'starttls' }, { resolver: offline });
  const submission = await startSmtp(t.ctx, 'submission', { address: '127.0.0.1', port: 0, tls: 'starttls' }, { resolver: offline });
  const clients: RawClient[] = [];
  const track = async (p: Promise<RawClient>) => {
    const c = await p;
    clients.push(c);
    return c;
  };

  const f: Fixture = {
    t,
    account,
    inboxId: inbox.id,
    seededUid: uid,
    imapPort: imap.port,
    pop3Port: pop3.port,
    smtpPort: smtp.port,
    submissionPort: submission.port,
    recorder,
    async imapConnect() {
      const c = await track(RawClient.connect(imap.port));
      await c.expect((x) => x.includes('\r\n'), 'IMAP greeting');
      assert.match(c.take(), /^\* OK/);
      return c;
    },
    async imapLogin() {
      const c = await f.imapConnect();
      c.write(`L LOGIN ${USER} "${PASS}"\r\n`);
      await c.expect((x) => /(^|\n)L (OK|NO|BAD)/.test(x), 'IMAP LOGIN reply');
      assert.match(c.take(), /(^|\n)L OK/);
      return c;
    },
    async pop3Connect() {
      const c = await track(RawClient.connect(pop3.port));
      await c.expect((x) => x.includes('\r\n'), 'POP3 greeting');
      assert.match(c.take(), /^\+OK/);
      return c;
    },
    async pop3Login() {
      const c = await f.pop3Connect();
      c.write(`USER ${USER}\r\nPASS ${PASS}\r\n`);
      await c.expect((x) => x.split('\r\n').length >= 3, 'POP3 USER/PASS replies');
      const t2 = c.take();
      assert.match(t2, /^\+OK[^\r]*\r\n\+OK/, `POP3 login: ${t2}`);
      return c;
    },
    async smtpConnect() {
      const c = await track(RawClient.connect(smtp.port));
      await c.expect((x) => /^220 .*\r\n/.test(x), 'SMTP greeting');
      c.take();
      return c;
    },
    async inboxCount() {
      return (await t.ctx.store.mailboxStatus(account.id, inbox.id)).messages;
    },
    async assertHealthy() {
      recorder.assertClean();
      // the store still has the seeded message, byte for byte
      const raw = await t.ctx.store.getRaw(account.id, inbox.id, uid);
      assert.ok(raw.equals(SEEDED), 'seeded message unchanged in the store');
      // IMAP answers and returns it byte-exact
      const i = await f.imapLogin();
      i.write(`H1 EXAMINE INBOX\r\nH2 UID FETCH ${uid} BODY.PEEK[]\r\nH3 LOGOUT\r\n`);
      await i.expect((x) => /\r\nH3 OK/.test(x), 'IMAP health check');
      const text = i.text;
      const head = `BODY[] {${SEEDED.length}}\r\n`;
      const at = text.indexOf(head);
      assert.ok(at >= 0, `FETCH BODY[] announces ${SEEDED.length} bytes: ${text.slice(0, 400)}`);
      const start = at + head.length;
      assert.ok(i.buf.subarray(start, start + SEEDED.length).equals(SEEDED), 'IMAP BODY[] byte-exact');
      i.destroy();
      // POP3 answers and RETR gives it back (dot-stuffed, CRLF-terminated as POP3 requires)
      const p = await f.pop3Login();
      p.write('UIDL\r\nQUIT\r\n');
      await p.expect((x) => /\r\n\.\r\n\+OK/.test(x), 'POP3 health check');
      p.destroy();
      // SMTP answers
      const s = await f.smtpConnect();
      s.write('EHLO health.test\r\n');
      await s.expect((x) => /^250 /m.test(x), 'SMTP EHLO');
      s.write('QUIT\r\n');
      s.destroy();
      recorder.assertClean();
    },
    async close() {
      for (const c of clients) c.destroy();
      await smtp.close(200);
      await submission.close(200);
      await t.close();
      recorder.dispose();
    },
  };
  return f;
}

/** Lines of an IMAP response stream (CRLF-split; literal contents may show up as lines too). */
export function taggedReply(text: string, tag: string): string | null {
  const m = new RegExp(`(?:^|\\r\\n)${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ((?:OK|NO|BAD)[^\\r]*)\\r\\n`).exec(text);
  return m ? m[1] : null;
}

export type Backend = 'memory' | 'sqlite';

/**
 * One describe block per store backend, each owning one Fixture started before its tests
 * and closed after them; `body` declares the tests and reads the fixture through `fixture()`.
 */
export function describeOnBackends(
  title: (backend: Backend) => string,
  body: (fixture: () => Fixture, backend: Backend) => void,
  opts: { backends?: readonly Backend[]; setup?: (f: Fixture) => Promise<void> } = {},
): void {
  for (const backend of opts.backends ?? (['memory', 'sqlite'] as const)) {
    describe(title(backend), () => {
      let f: Fixture | undefined;
      before(async () => {
        f = await startFixture(backend);
        await opts.setup?.(f);
      });
      after(async () => {
        await f?.close();
      });
      body(() => f!, backend);
    });
  }
}
