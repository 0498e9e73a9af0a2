/** Greeting, CAPABILITY, NOOP, LOGOUT, LOGIN, ID, ENABLE, NAMESPACE (RFC 9051 §6.1, §6.2.3; RFC 2971; RFC 5161) */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, transcript, USER, PASS, type ImapServer } from './harness.js';

describe('imap basics', () => {
  let server: ImapServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('greets with capabilities and answers CAPABILITY, NOOP, LOGOUT', async () => {
    const c = await server.connect();
    await transcript(
      c,
      `S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN] letterbox ready
       C: a1 CAPABILITY
       S: * CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL- SASL-IR ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN
       S: a1 OK CAPABILITY completed
       C: a2 NOOP
       S: a2 OK NOOP completed
       C: a3 LOGOUT
       S: * BYE …
       S: a3 OK LOGOUT completed`,
    );
    await c.waitClosed();
    assert.ok(c.closed);
  });

  it('LOGIN succeeds with the right password and lists capabilities in the OK', async () => {
    const c = await server.connect();
    await transcript(
      c,
      `S: * OK …
       C: a1 LOGIN ${USER} "wrong"
       S: a1 NO [AUTHENTICATIONFAILED] Invalid credentials
       C: a2 LOGIN ${USER} "${PASS}"
       S: a2 OK [CAPABILITY IMAP4rev1 IMAP4rev2 … NAMESPACE UIDPLUS MOVE … CONDSTORE QRESYNC STATUS=SIZE …] Logged in
       C: a3 LOGIN ${USER} "${PASS}"
       S: a3 BAD LOGIN is not valid in this state (authenticated)
       C: a4 NAMESPACE
       S: * NAMESPACE (("" "/")) (("Other Users/" "/")) (("Shared/" "/"))
       S: a4 OK NAMESPACE completed
       C: a5 ID ("name" "test-client" "version" "1")
       S: * ID ("name" "letterbox" "vendor" "letterbox")
       S: a5 OK ID completed
       C: a6 ENABLE IMAP4rev2 CONDSTORE X-UNKNOWN
       S: * ENABLED IMAP4rev2 CONDSTORE
       S: a6 OK ENABLE completed
       C: a7 ENABLE IMAP4rev2
       S: * ENABLED
       S: a7 OK ENABLE completed`,
    );
  });

  it('commands before login are refused, unknown commands are BAD', async () => {
    const c = await server.connect();
    await transcript(
      c,
      `S: * OK …
       C: a1 SELECT INBOX
       S: a1 BAD SELECT is not valid in this state (not authenticated)
       C: a2 FROBNICATE
       S: a2 BAD Unknown command FROBNICATE
       C: a3 LOGIN "unterminated
       S: a3 BAD …`,
    );
  });

  it('AUTHENTICATE PLAIN with SASL-IR and with a continuation; LOGIN mechanism', async () => {
    const ir = Buffer.from(`\0${USER}\0${PASS}`).toString('base64');
    let c = await server.connect();
    await transcript(
      c,
      `S: * OK …
       C: a1 AUTHENTICATE PLAIN ${ir}
       S: a1 OK [CAPABILITY …] Logged in`,
    );
    c = await server.connect();
    await transcript(
      c,
      `S: * OK …
       C: a1 AUTHENTICATE PLAIN
       S: + 
       C: ${ir}
       S: a1 OK [CAPABILITY …] Logged in`,
    );
    c = await server.connect();
    await transcript(
      c,
      `S: * OK …
       C: a1 AUTHENTICATE LOGIN
       S: + VXNlcm5hbWU6
       C: ${Buffer.from(USER).toString('base64')}
       S: + UGFzc3dvcmQ6
       C: ${Buffer.from('nope').toString('base64')}
       S: a1 NO [AUTHENTICATIONFAILED] Invalid credentials
       C: a2 AUTHENTICATE PLAIN
       S: + 
       C: *
       S: a2 BAD Authentication cancelled
       C: a3 AUTHENTICATE CRAM-MD5
       S: a3 NO [CANNOT] …`,
    );
  });

  it('disconnects after repeated bad commands', async () => {
    const s2 = await startServer({ config: { limits: { bad_commands_before_disconnect: 3 } } });
    try {
      const c = await s2.connect();
      await transcript(
        c,
        `S: * OK …
         C: a1 BOGUS
         S: a1 BAD …
         C: a2 BOGUS
         S: a2 BAD …
         C: a3 BOGUS
         S: a3 BAD …
         S: * BYE Too many invalid commands`,
      );
      await c.waitClosed();
    } finally {
      await s2.close();
    }
  });

  it('answers [UNAVAILABLE] once failed logins are throttled', async () => {
    const s2 = await startServer({ config: { limits: { failed_logins_per_ip: 2 } } });
    try {
      const c = await s2.connect();
      await transcript(
        c,
        `S: * OK …
         C: a1 LOGIN ${USER} "bad1"
         S: a1 NO [AUTHENTICATIONFAILED] Invalid credentials
         C: a2 LOGIN ${USER} "bad2"
         S: a2 NO [AUTHENTICATIONFAILED] Invalid credentials
         C: a3 LOGIN ${USER} "${PASS}"
         S: a3 NO [UNAVAILABLE] Too many failed logins; try again later`,
      );
    } finally {
      await s2.close();
    }
  });
});
