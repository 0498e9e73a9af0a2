/**
 * RFC 7888: LITERAL- before login (non-synchronizing literals up to 4096 bytes; larger ones
 * are BAD [TOOBIG] and skipped), LITERAL+ after login.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASS, startServer, transcript, USER, type ImapServer } from './harness.js';

describe('imap LITERAL- / LITERAL+', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('limits non-synchronizing literals to 4096 bytes until login', async () => {
    const c = await server.connect();
    assert.match(await c.readLine(), /^\* OK \[CAPABILITY [^\]]*\bLITERAL- /);
    const big = 'x'.repeat(4097);
    c.send(`a1 LOGIN {4097+}\r\n${big} pw`);
    assert.match(await c.readLine(), /^a1 BAD \[TOOBIG\] Non-synchronizing literals are limited to 4096 bytes/);
    await transcript(
      c,
      `C: a2 NOOP
       S: a2 OK NOOP completed
       C: a3 LOGIN {${USER.length}+}\\r\\n${USER} "${PASS}"
       S: a3 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ …] Logged in`,
    );
    const m = `Subject: big\r\n\r\n${'y'.repeat(5000)}\r\n`;
    c.send(`a4 APPEND INBOX {${m.length}+}\r\n${m}`);
    assert.match(await c.readLine(), /^a4 OK \[APPENDUID/);
  });
});
