import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSasl, SASL_MECHANISMS, decodeBase64Utf8 } from '../../../src/auth/sasl.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

test('mechanism list and lookup', () => {
  assert.deepEqual([...SASL_MECHANISMS], ['PLAIN', 'LOGIN']);
  assert.ok(createSasl('plain'));
  assert.ok(createSasl('Login'));
  assert.equal(createSasl('CRAM-MD5'), null);
  assert.equal(createSasl('XOAUTH2'), null);
});

test('PLAIN: RFC 4616 §4 example without authzid, as initial response', () => {
  const step = createSasl('PLAIN')!.start('AHRpbQB0YW5zdGFhZnRhbnN0YWFm');
  assert.deepEqual(step, { type: 'done', authzid: '', authcid: 'tim', password: 'tanstaaftanstaaf' });
});

test('PLAIN: RFC 4616 §4 example with a different authzid is refused (no proxy authorization)', () => {
  const step = createSasl('PLAIN')!.start(b64('Ursel\0Kurt\0xipj3plmq'));
  assert.equal(step.type, 'error');
});

test('PLAIN: authzid equal to authcid is accepted', () => {
  const step = createSasl('PLAIN')!.start(b64('kurt@example.org\0kurt@example.org\0pw'));
  assert.deepEqual(step, { type: 'done', authzid: 'kurt@example.org', authcid: 'kurt@example.org', password: 'pw' });
});

test('PLAIN: empty challenge then response', () => {
  const ex = createSasl('PLAIN')!;
  assert.deepEqual(ex.start(), { type: 'challenge', data: '' });
  const step = ex.next(b64('\0anna@example.org\0pässwörd'));
  assert.deepEqual(step, { type: 'done', authzid: '', authcid: 'anna@example.org', password: 'pässwörd' });
  assert.equal(ex.next(b64('\0x\0y')).type, 'error', 'no step after done');
});

test('PLAIN: "=" is an empty initial response, which PLAIN cannot accept', () => {
  assert.equal(createSasl('PLAIN')!.start('=').type, 'error');
});

test('PLAIN: malformed messages', () => {
  for (const msg of ['only-one-part', '\0user', '\0\0pw', '\0user\0', 'a\0b\0c\0d']) {
    assert.equal(createSasl('PLAIN')!.start(b64(msg)).type, 'error', JSON.stringify(msg));
  }
  assert.equal(createSasl('PLAIN')!.start(b64('\0' + 'u'.repeat(256) + '\0pw')).type, 'error');
});

test('PLAIN: bad base64 and bad UTF-8 are errors', () => {
  for (const bad of ['not base64!', 'AHRpbQ', 'A===', '====', 'AHRp bQB0']) {
    assert.equal(createSasl('PLAIN')!.start(bad).type, 'error', bad);
  }
  const ex = createSasl('PLAIN')!;
  ex.start();
  assert.equal(ex.next(Buffer.from([0, 0x75, 0, 0xff, 0xfe]).toString('base64')).type, 'error');
});

test('PLAIN: "*" cancels', () => {
  const ex = createSasl('PLAIN')!;
  ex.start();
  const step = ex.next('*');
  assert.equal(step.type, 'error');
  assert.match((step as { message: string }).message, /cancel/);
});

test('LOGIN: Username:/Password: flow', () => {
  const ex = createSasl('LOGIN')!;
  assert.deepEqual(ex.start(), { type: 'challenge', data: 'VXNlcm5hbWU6' });
  assert.deepEqual(ex.next(b64('tim@example.org')), { type: 'challenge', data: 'UGFzc3dvcmQ6' });
  assert.deepEqual(ex.next(b64('secret pw')), { type: 'done', authzid: '', authcid: 'tim@example.org', password: 'secret pw' });
  assert.equal(ex.next(b64('again')).type, 'error');
});

test('LOGIN: initial response carries the user name', () => {
  const ex = createSasl('LOGIN')!;
  assert.deepEqual(ex.start(b64('tim@example.org')), { type: 'challenge', data: 'UGFzc3dvcmQ6' });
  assert.deepEqual(ex.next(b64('pw')), { type: 'done', authzid: '', authcid: 'tim@example.org', password: 'pw' });
});

test('LOGIN: errors', () => {
  assert.equal(createSasl('LOGIN')!.start('=').type, 'error', 'empty user name');
  let ex = createSasl('LOGIN')!;
  ex.start();
  assert.equal(ex.next('%%%').type, 'error');
  ex = createSasl('LOGIN')!;
  ex.start();
  ex.next(b64('u'));
  assert.equal(ex.next('').type, 'error', 'empty password');
  ex = createSasl('LOGIN')!;
  ex.start();
  assert.equal(ex.next('*').type, 'error');
  assert.equal(createSasl('LOGIN')!.next(b64('u')).type, 'error', 'next before start');
});

test('decodeBase64Utf8 is strict', () => {
  assert.equal(decodeBase64Utf8(''), '');
  assert.equal(decodeBase64Utf8('Zm9v'), 'foo');
  assert.equal(decodeBase64Utf8('Zm9vYg=='), 'foob');
  assert.equal(decodeBase64Utf8('Zm9vYg'), null);
  assert.equal(decodeBase64Utf8('Zm9v!'), null);
});
