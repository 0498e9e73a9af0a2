/** METADATA argument parsing (RFC 5464 §4.2, §4.3, §5) and QUOTA's (RFC 9208 §4.1) */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEntryName, parseGetMetadataArgs, parseSetMetadataArgs } from '../../../../src/imap/wire/args/metadata.js';
import { parseQuotaRootArg, parseSetQuotaArgs } from '../../../../src/imap/wire/args/quota.js';
import { decodeValue, encodeValue } from '../../../../src/imap/commands/metadata-entries.js';
import { WireError } from '../../../../src/imap/wire/index.js';
import { argsOf } from './util.js';

const names = { utf8: true };
const isBad = (e: unknown) => e instanceof WireError && e.code === 'BAD';

test('GETMETADATA: options, the server mailbox "", one entry or a list, names lower-cased', () => {
  assert.deepEqual(parseGetMetadataArgs(argsOf('a GETMETADATA "" /shared/comment'), names), {
    server: true, mailbox: '', maxSize: null, depth: 0, entries: ['/shared/comment'],
  });
  assert.deepEqual(parseGetMetadataArgs(argsOf('a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX (/Private/Comment /shared)'), names), {
    server: false, mailbox: 'INBOX', maxSize: 1024, depth: 'infinity', entries: ['/private/comment', '/shared'],
  });
  for (const bad of [
    'a GETMETADATA INBOX',
    'a GETMETADATA () INBOX /private',
    'a GETMETADATA (DEPTH 1 DEPTH 0) INBOX /private',
    'a GETMETADATA (MAXSIZE -1) INBOX /private',
    'a GETMETADATA INBOX ()',
    'a GETMETADATA INBOX /private extra',
  ]) assert.throws(() => parseGetMetadataArgs(argsOf(bad), names), isBad, bad);
});

test('SETMETADATA: pairs, NIL removes, the last value for an entry wins', () => {
  assert.deepEqual(parseSetMetadataArgs(argsOf('a SETMETADATA INBOX (/private/a "1" /shared/b NIL /private/A "2")'), names), {
    server: false,
    mailbox: 'INBOX',
    entries: [{ entry: '/private/a', value: Buffer.from('2') }, { entry: '/shared/b', value: null }],
  });
  for (const bad of ['a SETMETADATA INBOX ()', 'a SETMETADATA INBOX /private/a "1"', 'a SETMETADATA INBOX (/shared "x")', 'a SETMETADATA INBOX ((x) "1")'])
    assert.throws(() => parseSetMetadataArgs(argsOf(bad), names), isBad, bad);
});

test('entry names (RFC 5464 §3.2, the cases Dovecot checks)', () => {
  for (const ok of ['/private/comment', '/shared/a/b/c', '/PRIVATE/UPPER', '/private', '/shared']) assert.equal(parseEntryName(ok, true), ok.toLowerCase());
  for (const bad of ['private/foo', '/private/', '/shared//foo', '/private/foo*', '/shared/foo%', '/other/foo', '', '/', '/private/ctrl\x01', '//private/foo', '/' + 'p'.repeat(600)])
    assert.throws(() => parseEntryName(bad, true), isBad, JSON.stringify(bad));
});

test('stored values round-trip, binary ones too', () => {
  for (const v of [Buffer.from('text é'), Buffer.from([0x61, 0, 0x62]), Buffer.from([0xff, 0xfe]), Buffer.alloc(0)]) {
    const s = encodeValue(v);
    assert.ok(!s.includes('\0'));
    assert.deepEqual(decodeValue(s), v);
  }
});

test('QUOTA arguments', () => {
  assert.equal(parseQuotaRootArg(argsOf('a GETQUOTA ""'), 'GETQUOTA'), '');
  assert.deepEqual(parseSetQuotaArgs(argsOf('a SETQUOTA "" (storage 512)')), { root: '', limits: new Map([['STORAGE', 512]]) });
  assert.deepEqual(parseSetQuotaArgs(argsOf('a SETQUOTA "" ()')).limits.size, 0);
  for (const bad of ['a SETQUOTA ""', 'a SETQUOTA "" (STORAGE)', 'a SETQUOTA "" (STORAGE x)', 'a SETQUOTA "" (STORAGE 1 STORAGE 2)'])
    assert.throws(() => parseSetQuotaArgs(argsOf(bad)), isBad, bad);
});
