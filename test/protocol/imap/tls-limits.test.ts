/**
 * STARTTLS (RFC 9051 §6.2.1) and implicit TLS (RFC 8314); plaintext policy (LOGINDISABLED,
 * PRIVACYREQUIRED); limits: line length, literal size, idle timeout (BYE), shutdown (BYE),
 * output backpressure on big FETCH responses.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImapClient, msg, PASS, seed, startServer, transcript, USER } from './harness.js';

describe('imap TLS and plaintext policy', () => {
  it('STARTTLS: LOGINDISABLED before TLS, login after', async () => {
    const server = await startServer({ tls: 'starttls', plaintext: false });
    try {
      const c = await server.connect();
      await transcript(
        c,
        `S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR ID ENABLE IDLE STARTTLS LOGINDISABLED] letterbox ready
         C: a1 LOGIN ${USER} "${PASS}"
         S: a1 NO [PRIVACYREQUIRED] Plaintext login is disabled; use STARTTLS first
         C: a2 AUTHENTICATE PLAIN
         S: a2 NO [PRIVACYREQUIRED] …
         C: a3 STARTTLS
         S: a3 OK Begin TLS negotiation now`,
      );
      await c.startTls();
      await transcript(
        c,
        `C: a4 CAPABILITY
         S: * CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN
         S: a4 OK CAPABILITY completed
         C: a5 STARTTLS
         S: a5 BAD TLS is already active
         C: a6 LOGIN ${USER} "${PASS}"
         S: a6 OK [CAPABILITY …] Logged in`,
      );
    } finally {
      await server.close();
    }
  });

  it('discards plaintext pipelined after STARTTLS (no command injection)', async () => {
    const server = await startServer({ tls: 'starttls', plaintext: false });
    try {
      const c = await server.connect();
      await c.readLine();
      c.send('a1 STARTTLS\r\na2 LOGIN injected command');
      assert.equal(await c.readLine(), 'a1 OK Begin TLS negotiation now');
      await c.startTls();
      await transcript(c, `C: a3 NOOP\nS: a3 OK NOOP completed`);
    } finally {
      await server.close();
    }
  });

  it('STARTTLS is refused on a listener without it', async () => {
    const server = await startServer({ tls: 'none', plaintext: false });
    try {
      const c = await server.connect();
      await transcript(
        c,
        `S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR ID ENABLE IDLE LOGINDISABLED] letterbox ready
         C: a1 STARTTLS
         S: a1 NO STARTTLS is not offered on this port; use the implicit-TLS port`,
      );
    } finally {
      await server.close();
    }
  });

  it('implicit TLS offers AUTH=PLAIN without STARTTLS', async () => {
    const server = await startServer({ tls: 'implicit', plaintext: false });
    try {
      const c = await server.connect();
      await transcript(
        c,
        `S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN] letterbox ready
         C: a1 LOGIN ${USER} "${PASS}"
         S: a1 OK [CAPABILITY …] Logged in`,
      );
    } finally {
      await server.close();
    }
  });
});

describe('imap limits', () => {
  it('refuses over-long lines and closes; refuses big literals with TOOBIG', async () => {
    const server = await startServer({ config: { limits: { line_length: 300, literal_size: 1000 } } });
    try {
      let c = await server.connect();
      await transcript(
        c,
        `S: * OK …
         C: a1 APPEND INBOX {5000}
         S: a1 NO [TOOBIG] …
         C: a2 NOOP
         S: a2 OK NOOP completed
         C: a3 NOOP ${'x'.repeat(400)}
         S: a3 BAD Command line longer than 300 bytes
         S: * BYE …`,
      );
      await c.waitClosed();
      c = await server.connect();
      await transcript(c, `S: * OK …\nC: b1 APPEND INBOX {5000+}\nS: b1 BAD …\nS: * BYE …`);
      await c.waitClosed();
    } finally {
      await server.close();
    }
  });

  it('says BYE after the idle timeout', async () => {
    const server = await startServer({ config: { limits: { imap_idle_timeout_s: 1 } } });
    try {
      const c = await server.connect();
      await c.readLine();
      assert.match(await c.readLine(3000), /^\* BYE Autologout/);
      await c.waitClosed();
    } finally {
      await server.close();
    }
  });

  it('says BYE on server shutdown', async () => {
    const server = await startServer();
    const c = await server.login();
    const closing = server.t.close();
    assert.match(await c.readLine(), /^\* BYE Server shutting down/);
    await c.waitClosed();
    await closing;
  });

  it('respects output backpressure on big FETCH responses and still delivers every byte', async () => {
    const server = await startServer();
    try {
      const big = Buffer.alloc(4 * 1024 * 1024, 'a');
      const m = Buffer.concat([msg('big', ''), big]);
      await seed(server, 'INBOX', [m, m, m, m]);
      const c: ImapClient = await server.login();
      await c.command('s1 SELECT INBOX');
      c.socket.pause();
      c.send('f1 FETCH 1:4 BODY.PEEK[]');
      await new Promise((r) => setTimeout(r, 700));
      const [sock] = [...server.listener.connections].filter((s) => s.writableLength > 0);
      const buffered = sock ? sock.writableLength : 0;
      assert.ok(buffered < 2 * m.length + 65536, `server buffered ${buffered} bytes while the client was not reading`);
      c.socket.resume();
      for (let i = 1; i <= 4; i++) {
        let line = await c.readRaw(20000);
        // a slow reader makes this a long command: INPROGRESS notices (RFC 9585) may come in between
        while (line.toString('latin1').startsWith('* OK [INPROGRESS ')) line = await c.readRaw(20000);
        assert.ok(line.length > m.length, `FETCH ${i} response is complete`);
      }
      let tagged = await c.readLine();
      while (tagged.startsWith('* OK [INPROGRESS ')) tagged = await c.readLine();
      assert.match(tagged, /^f1 OK/);
    } finally {
      await server.close();
    }
  });
});
