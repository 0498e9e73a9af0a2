/**
 * No client waits on a timer (issue 10): IMAP, POP3 and SMTP answer every complete command
 * while JavaScript timers are frozen, for the client patterns people use (imaplib's
 * synchronizing literal sent as literal + CRLF in two writes, LITERAL+, commands split
 * across writes, pipelining, one SMTP message per connection with the final "." in a
 * write of its own, several SMTP senders ending DATA at once, BDAT chunks).
 *
 * Two checks, neither timed:
 *  - setTimeout/setInterval are mocked and never advanced, so a reply that waits on a timer
 *    (smtp-server's greeting pause, a commit tick) never comes and the step fails;
 *  - after every chunk that leaves a command incomplete, the server's TCP socket must be out
 *    of the kernel's delayed-ACK ("pingpong") mode (getsockopt TCP_QUICKACK = 1): the client
 *    (Nagle on, as by default) would otherwise hold its next write for the delayed ACK.
 */
import { describe, it, mock, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { createRequire } from 'node:module';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { handleImapConnection } from '../../src/imap/server.js';
import { handlePop3Connection } from '../../src/pop3/server.js';
import { startSmtp } from '../../src/smtp/server.js';
import { quickAckAvailable } from '../../src/net/quickack.js';
import type { RunningListener } from '../../src/net/types.js';
import type { Account } from '../../src/store/types.js';

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const USER = 'alice@example.test';
const PASS = 'correct horse battery';
const getsockopt = quickAckAvailable()
  ? (createRequire(import.meta.url)('sockopt') as { getsockopt(s: net.Socket, level: number, opt: number): number }).getsockopt
  : null;

/** a raw client that reads lines; every wait fails after 5 s of real time */
class Client {
  private buf = '';
  private wake: (() => void) | null = null;
  /** the server side of this connection, for the delayed-ACK check */
  server!: net.Socket;
  private serverChunks = 0;
  private watching = false;
  /** TCP_QUICKACK read on the server socket right after it took in each chunk */
  private readonly quick: number[] = [];

  private constructor(readonly sock: net.Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      this.wake?.();
    });
    sock.on('error', () => {});
  }

  static async open(listener: RunningListener): Promise<Client> {
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(listener.port, '127.0.0.1', () => resolve(s)); // Nagle on, like most clients
      s.once('error', reject);
    });
    const c = new Client(sock);
    // the server may take the connection in after the client saw it connected (several
    // connections opened at once): wait for it, by event-loop turns, not by a timer
    for (let turn = 0; turn < 1000 && !c.server; turn++) {
      c.server = [...listener.connections].find((s) => s.remotePort === sock.localPort)!;
      if (!c.server) await new Promise((r) => setImmediate(r));
    }
    assert.ok(c.server, 'server side of the connection');
    return c;
  }

  /**
   * added after the protocol's own listeners, so it runs once the server has taken a chunk
   * in: at the first write, after the greeting (smtp-server sets up its connection, and its
   * acknowledgements, a turn after the socket is accepted)
   */
  private watchServer(): void {
    if (this.watching) return;
    this.watching = true;
    this.server.on('data', () => {
      this.serverChunks++;
      if (getsockopt) this.quick.push(getsockopt(this.server, 6, 12));
    });
  }

  /** sends one write; with `incomplete`, asserts the server acknowledged it at once */
  async write(data: string | Buffer, incomplete = false): Promise<void> {
    this.watchServer();
    const seen = this.serverChunks;
    this.sock.write(data);
    if (!incomplete) return;
    await this.until(() => this.serverChunks > seen, 'the server to read the chunk');
    if (getsockopt) assert.equal(this.quick[this.quick.length - 1], 1, `delayed ACK left pending after ${JSON.stringify(String(data).slice(0, 40))}`);
  }

  /** the next line, which must match; fails if it does not come (a reply waiting on a timer) */
  async expect(re: RegExp): Promise<string> {
    for (;;) {
      const lf = this.buf.indexOf('\n');
      if (lf >= 0) {
        const line = this.buf.slice(0, lf + 1).replace(/\r?\n$/, '');
        this.buf = this.buf.slice(lf + 1);
        if (line.startsWith('* ') && !re.test(line) && !re.source.startsWith('^\\*')) continue; // untagged data
        assert.match(line, re);
        return line;
      }
      await this.until(() => this.buf.includes('\n'), `a reply matching ${re} (timers are frozen: does it wait on one?)`);
    }
  }

  private until(ok: () => boolean, what: string): Promise<void> {
    if (ok()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = realSetTimeout(() => reject(new Error(`waited 5 s for ${what}; buffered: ${JSON.stringify(this.buf.slice(0, 200))}`)), 5000);
      const check = () => {
        if (!ok()) return;
        realClearTimeout(t);
        this.sock.off('data', check);
        this.server.off('data', check);
        resolve();
      };
      this.sock.on('data', check);
      this.server?.on('data', check);
      this.wake = check;
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

const message = (n: number) => `From: bob@example.test\r\nTo: ${USER}\r\nSubject: latency ${n}\r\n\r\n${'body line\r\n'.repeat(200)}`;

for (const backend of ['memory', 'sqlite'] as const) {
  describe(`no reply waits on a timer (${backend})`, () => {
    let t: TestContext;
    let imap: RunningListener;
    let pop3: RunningListener;
    let smtp: RunningListener;
    let account: Account;

    before(async () => {
      t = await makeTestContext({ backend, config: { auth: { plaintext_allowed_from: ['127.0.0.1'] } } });
      account = await t.addUser(USER, PASS);
      imap = await t.listen('imap', 'none', (s, info) => handleImapConnection(s, info, t.ctx));
      pop3 = await t.listen('pop3', 'none', (s, info) => handlePop3Connection(s, info, t.ctx));
      smtp = await startSmtp(t.ctx, 'smtp', { address: '127.0.0.1', port: 0, tls: 'none' }, {
        resolver: async (name) => {
          throw Object.assign(new Error(`offline: ${name}`), { code: 'ENOTFOUND' });
        },
      });
      mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    });
    after(async () => {
      mock.timers.reset();
      await smtp.close(200);
      await t.close();
    });

    it('prompt ACKs are available (the sockopt addon loads) on Linux', { skip: process.platform !== 'linux' }, () => {
      assert.ok(getsockopt, 'sockopt did not load: acknowledgements would wait on the kernel\'s delayed-ACK timer');
    });

    it('IMAP: synchronizing and non-synchronizing literals, split and pipelined commands', async () => {
      const c = await Client.open(imap);
      await c.expect(/^\* OK/);
      await c.write(`L LOGIN ${USER} "${PASS}"\r\n`);
      await c.expect(/^L OK/);
      const m = message(1);
      // imaplib: command line, wait for "+", literal, then CRLF in a write of its own
      await c.write(`A1 APPEND INBOX {${m.length}}\r\n`, true);
      await c.expect(/^\+ /);
      await c.write(m, true);
      await c.write('\r\n');
      await c.expect(/^A1 OK/);
      // LITERAL+ with the CRLF apart
      await c.write(`A2 APPEND INBOX {${m.length}+}\r\n${m}`, true);
      await c.write('\r\n');
      await c.expect(/^A2 OK/);
      // a command line split across writes
      await c.write('N1 NO', true);
      await c.write('OP\r\n');
      await c.expect(/^N1 OK/);
      // pipelined
      await c.write('S SELECT INBOX\r\nF FETCH 1:* (UID FLAGS)\r\nX STORE 1 +FLAGS (\\Seen)\r\nZ NOOP\r\n');
      await c.expect(/^S OK/);
      await c.expect(/^F OK/);
      await c.expect(/^X OK/);
      await c.expect(/^Z OK/);
      await c.write('O LOGOUT\r\n');
      await c.expect(/^\* BYE/);
      c.close();
    });

    it('POP3: login, split and pipelined commands, RETR', async () => {
      const c = await Client.open(pop3);
      await c.expect(/^\+OK/);
      await c.write(`USER ${USER}\r\nPASS ${PASS}\r\n`);
      await c.expect(/^\+OK/);
      await c.expect(/^\+OK/);
      await c.write('ST', true);
      await c.write('AT\r\n');
      await c.expect(/^\+OK \d+ \d+/);
      await c.write('NOOP\r\nNOOP\r\n');
      await c.expect(/^\+OK/);
      await c.expect(/^\+OK/);
      await c.write('QUIT\r\n');
      await c.expect(/^\+OK/);
      c.close();
    });

    it('SMTP: one message per connection, the final "." in a write of its own, and pipelined', async () => {
      for (let i = 0; i < 3; i++) {
        const c = await Client.open(smtp);
        await c.expect(/^220 /); // at once: no greeting pause
        await c.write('EHLO client.example\r\n');
        let l: string;
        do l = await c.expect(/^250[ -]/);
        while (l.startsWith('250-'));
        // a command line in two writes: the first piece is acknowledged at once
        await c.write('MAIL FR', true);
        await c.write('OM:<bob@example.test>\r\n');
        await c.expect(/^250 /);
        await c.write(`RCPT TO:<${USER}>\r\n`);
        await c.expect(/^250 /);
        await c.write('DATA\r\n');
        await c.expect(/^354 /);
        // message data that ends a line is acknowledged too: a line of its own, then the rest
        await c.write('X-Line: alone\r\n', true);
        await c.write(message(i), true);
        await c.write('.\r\n');
        await c.expect(/^250 /);
        // PIPELINING (RFC 2920): the whole transaction in one write
        await c.write(`MAIL FROM:<bob@example.test>\r\nRCPT TO:<${USER}>\r\nDATA\r\n`);
        await c.expect(/^250 /);
        await c.expect(/^250 /);
        await c.expect(/^354 /);
        await c.write(`${message(i)}.\r\nQUIT\r\n`);
        await c.expect(/^250 /);
        await c.expect(/^221 /);
        c.close();
      }
    });

    it('SMTP: several senders finishing DATA at once each get their 250, every message stored', async () => {
      const inbox = (await t.ctx.store.getMailbox(account.id, 'INBOX'))!;
      const before = await t.ctx.store.mailboxStatus(account.id, inbox.id);
      const senders = await Promise.all([1, 2, 3, 4].map(() => Client.open(smtp)));
      for (const c of senders) {
        await c.expect(/^220 /);
        await c.write(`EHLO client.example\r\nMAIL FROM:<bob@example.test>\r\nRCPT TO:<${USER}>\r\nDATA\r\n`);
        let l: string;
        do l = await c.expect(/^250[ -]/);
        while (l.startsWith('250-'));
        await c.expect(/^250 /);
        await c.expect(/^250 /);
        await c.expect(/^354 /);
      }
      // every message ends in the same moment: the deliveries share the store's group commit
      // (and its sync on the thread pool); no 250 may hang on a (frozen) timer
      senders.forEach((c, i) => void c.write(`${message(10 + i)}.\r\n`));
      for (const c of senders) await c.expect(/^250 /);
      const after = await t.ctx.store.mailboxStatus(account.id, inbox.id);
      assert.equal(after.messages - before.messages, senders.length, 'every acknowledged message is in INBOX');
      for (const c of senders) c.close();
    });

    it('SMTP: BDAT chunks, the LAST one answered once stored', async () => {
      const c = await Client.open(smtp);
      await c.expect(/^220 /);
      await c.write('EHLO client.example\r\n');
      let l: string;
      do l = await c.expect(/^250[ -]/);
      while (l.startsWith('250-'));
      await c.write(`MAIL FROM:<bob@example.test>\r\nRCPT TO:<${USER}>\r\n`);
      await c.expect(/^250 /);
      await c.expect(/^250 /);
      const m = message(20);
      const half = m.length >> 1;
      // a chunk whose bytes come in two writes, then the last chunk
      await c.write(`BDAT ${half}\r\n${m.slice(0, 100)}`, true);
      await c.write(m.slice(100, half));
      await c.expect(/^250 /);
      // a BDAT line in a write of its own is answered only after its bytes: acknowledged at
      // once, as is one completed from two pieces, and a chunk's bytes that end a line
      await c.write('BDAT 14\r\n', true);
      await c.write('Subject: x\r\n', true);
      await c.write('\r\n');
      await c.expect(/^250 /);
      await c.write('BD', true);
      await c.write('AT 10\r\n', true);
      await c.write('body line\n');
      await c.expect(/^250 /);
      await c.write(`BDAT ${m.length - half} LAST\r\n${m.slice(half)}`);
      await c.expect(/^250 /);
      await c.write('QUIT\r\n');
      await c.expect(/^221 /);
      c.close();
    });
  });
}
