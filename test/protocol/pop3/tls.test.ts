/**
 * TLS: plaintext login refused before TLS by default (RFC 2595 §4), STLS upgrade and its
 * CAPA changes, pipelined plaintext after STLS discarded, implicit TLS (POP3S).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pop3Client } from './client.js';
import { message, PASS, pop3Fixture, USER } from './setup.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('before TLS (default policy): CAPA offers STLS, not USER/SASL; USER and AUTH get -ERR [AUTH] pointing to STLS', async () => {
  const f = await pop3Fixture({ tls: 'starttls', plaintext: false });
  try {
    const c = await Pop3Client.connect(f.port);
    const caps = await c.lines('CAPA');
    assert.ok(caps.includes('STLS'));
    assert.ok(!caps.includes('USER'));
    assert.ok(!caps.some((x) => x.startsWith('SASL')));
    assert.match(await c.cmd(`USER ${USER}`), /^-ERR \[AUTH\] .*STLS/);
    assert.match(await c.cmd(`PASS ${PASS}`), /^-ERR \[AUTH\] /);
    assert.match(await c.cmd(`AUTH PLAIN ${b64(`\0${USER}\0${PASS}`)}`), /^-ERR \[AUTH\] .*STLS/);
    assert.match(await c.cmd('STAT'), /^-ERR /);
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('STLS: upgrade, CAPA now offers USER and SASL but no STLS, login works, second STLS refused', async () => {
  const f = await pop3Fixture({ tls: 'starttls', plaintext: false });
  try {
    await f.seed(message(1));
    const c = await Pop3Client.connect(f.port);
    await c.stls();
    const caps = await c.lines('CAPA');
    assert.ok(caps.includes('USER') && caps.includes('SASL PLAIN LOGIN'));
    assert.ok(!caps.includes('STLS'));
    assert.match(await c.cmd('STLS'), /^-ERR /);
    assert.match(await c.login(USER, PASS), /^\+OK .*1 messages/);
    assert.match(await c.cmd('QUIT'), /^\+OK/);
  } finally {
    await f.close();
  }
});

test('STLS: commands pipelined after STLS in plaintext are discarded, USER given before STLS is forgotten', async () => {
  const f = await pop3Fixture({ tls: 'starttls' }); // plaintext allowed from loopback
  try {
    const c = await Pop3Client.connect(f.port);
    assert.match(await c.cmd(`USER ${USER}`), /^\+OK/);
    // the injected CAPA must not be answered inside TLS
    c.send('STLS\r\nCAPA\r\n');
    assert.match(await c.readLine(), /^\+OK/);
    await new Promise((r) => setTimeout(r, 20));
    await c.stlsAfterOk();
    assert.match(await c.cmd(`PASS ${PASS}`), /^-ERR /, 'USER from before STLS is gone');
    assert.equal(c.rest(), '', 'no answer to the injected command');
    assert.match(await c.login(USER, PASS), /^\+OK/);
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('STLS is not offered on a listener without STARTTLS, nor on implicit TLS', async () => {
  const f = await pop3Fixture({ tls: 'none' });
  try {
    const c = await Pop3Client.connect(f.port);
    assert.match(await c.cmd('STLS'), /^-ERR /);
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});

test('implicit TLS (POP3S): plaintext login allowed without any loopback exception; no STLS', async () => {
  const f = await pop3Fixture({ tls: 'implicit', plaintext: false });
  try {
    await f.seed(message(1));
    const c = await Pop3Client.connect(f.port, { tls: true });
    assert.match(c.greeting, /^\+OK/);
    const caps = await c.lines('CAPA');
    assert.ok(caps.includes('USER'));
    assert.ok(!caps.includes('STLS'));
    assert.match(await c.cmd('STLS'), /^-ERR /);
    assert.match(await c.login(USER, PASS), /^\+OK .*1 messages/);
    const r = await c.multi('RETR 1');
    assert.match(r.status, /^\+OK/);
    await c.cmd('QUIT');
  } finally {
    await f.close();
  }
});
