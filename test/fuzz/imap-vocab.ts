/** IMAP command lines for the IMAP fuzz targets: the protocol's own vocabulary, combined at random. */
import fc from 'fast-check';

const set = fc.constantFrom('1', '*', '1:*', '2,4:7', '$', '4294967295', '0', '1:0', '5:*,1');
const astring = fc.constantFrom('INBOX', '"a b"', '"INBOX/&AOk-"', 'Archive', '{3+}\r\nabc', '{0+}\r\n', '~{2+}\r\n\0\0', '""', '"\\\\"', '%', '*', 'x/y');
const fetchAtt = fc.constantFrom(
  'FLAGS', 'UID', 'RFC822.SIZE', 'INTERNALDATE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'BODY[]', 'BODY.PEEK[HEADER]', 'BODY[1.2.MIME]<0.10>',
  'BODY[HEADER.FIELDS (SUBJECT FROM)]', 'BODY.PEEK[HEADER.FIELDS.NOT (X)]<5.5>', 'BINARY[1]', 'BINARY.PEEK[2.1]<0.1>', 'BINARY.SIZE[1]', 'MODSEQ', 'ALL', 'FAST', 'FULL', 'RFC822', 'RFC822.HEADER', 'BODY[TEXT]<4294967295.4294967295>',
);
const searchKey = fc.constantFrom(
  'ALL', 'SEEN', 'UNSEEN', 'NOT DELETED', 'OR SEEN FLAGGED', 'SUBJECT "x"', 'BODY {3+}\r\nabc', 'TEXT hello', 'HEADER "X-A" ""', 'LARGER 10', 'SMALLER 99999999999',
  'SINCE 1-Jan-2024', 'BEFORE 31-Dec-1999', 'SENTON 7-Feb-1994', 'UID 1:*', '1,3', 'KEYWORD $Junk', 'MODSEQ 5', 'MODSEQ "/flags/\\\\seen" all 3', '(SEEN (NOT NEW))', 'NEW', 'OLD', 'RECENT', '$', 'CHARSET UTF-8', 'OLDER 60', 'YOUNGER 0', 'YOUNGER 99999999999999999999',
);
const flag = fc.constantFrom('\\Seen', '\\Deleted', '\\Recent', '$Junk', 'kw', '\\X', '(', ')');

export const imapLine: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('FETCH', 'UID FETCH'), set, fc.array(fetchAtt, { maxLength: 4 }), fc.constantFrom('', ' (CHANGEDSINCE 3)', ' (CHANGEDSINCE 3 VANISHED)')).map(([c, s, a, m]) => `${c} ${s} ${a.length === 1 ? a[0] : `(${a.join(' ')})`}${m}`),
  fc.tuple(fc.constantFrom('SEARCH', 'UID SEARCH'), fc.constantFrom('', 'RETURN (MIN MAX) ', 'RETURN (SAVE) ', 'RETURN () ', 'CHARSET US-ASCII '), fc.array(searchKey, { minLength: 1, maxLength: 4 })).map(([c, r, k]) => `${c} ${r}${k.join(' ')}`),
  fc.tuple(fc.constantFrom('STORE', 'UID STORE'), set, fc.constantFrom('', '(UNCHANGEDSINCE 7) '), fc.constantFrom('FLAGS', '+FLAGS.SILENT', '-FLAGS', 'X'), fc.array(flag, { maxLength: 3 })).map(([c, s, u, o, f]) => `${c} ${s} ${u}${o} (${f.join(' ')})`),
  fc.tuple(fc.constantFrom('SELECT', 'EXAMINE'), astring, fc.constantFrom('', ' (CONDSTORE)', ' (QRESYNC (1 2 1:5 (1:3 1:3)))', ' (QRESYNC (0 0))')).map(([c, m, p]) => `${c} ${m}${p}`),
  fc.tuple(fc.constantFrom('LIST', 'LSUB'), fc.constantFrom('', '(SUBSCRIBED) ', '(SPECIAL-USE RECURSIVEMATCH) '), astring, fc.constantFrom('*', '%', '"a*b%"', '(INBOX "x*")'), fc.constantFrom('', ' RETURN (CHILDREN STATUS (MESSAGES UNSEEN))', ' RETURN (SPECIAL-USE)')).map(([c, s, r, p, ret]) => `${c} ${s}${r} ${p}${ret}`),
  fc.tuple(astring, fc.constantFrom('(MESSAGES UIDNEXT)', '(SIZE HIGHESTMODSEQ)', '()', '(X)')).map(([m, i]) => `STATUS ${m} ${i}`),
  fc.tuple(astring, fc.constantFrom('', '(\\Seen) ', '"07-Feb-1994 21:52:25 -0800" ', '(\\Seen) "31-Dec-2024 23:59:59 +0000" '), fc.constantFrom('{5+}\r\nhello', '~{3+}\r\na\0b', 'UTF8 (~{2+}\r\nhi)', '{0+}\r\n')).map(([m, f, d]) => `APPEND ${m} ${f}${d}`),
  fc.tuple(fc.constantFrom('CREATE', 'DELETE', 'SUBSCRIBE', 'UNSUBSCRIBE'), astring, fc.constantFrom('', ' (USE (\\Sent))')).map(([c, m, u]) => `${c} ${m}${u}`),
  fc.tuple(astring, astring).map(([a, b]) => `RENAME ${a} ${b}`),
  fc.tuple(fc.constantFrom('COPY', 'MOVE', 'UID COPY', 'UID MOVE'), set, astring).map(([c, s, m]) => `${c} ${s} ${m}`),
  fc.tuple(astring, astring).map(([u, p]) => `LOGIN ${u} ${p}`),
  fc.tuple(fc.constantFrom('', '(DEPTH 1) ', '(MAXSIZE 10 DEPTH infinity) ', '(DEPTH 2) ', '() '), astring, fc.constantFrom('/private/comment', '(/shared /private/a)', '"/Private/x y"', '/other', '/private//a', '()')).map(([o, m, e]) => `GETMETADATA ${o}${m} ${e}`),
  fc.tuple(astring, fc.constantFrom('(/private/comment "x")', '(/shared/a NIL /private/b {1+}\r\nz)', '(/private/bin ~{2+}\r\n\0\0)', '(/private)', '(/private/a)', '()')).map(([m, e]) => `SETMETADATA ${m} ${e}`),
  fc.tuple(fc.constantFrom('', 'IN (personal) ', 'IN (mailboxes (INBOX "a b") subtree-one x/y selected) ', 'IN (subtree) ', 'IN () ', 'IN (inboxes (X 1)) '), fc.constantFrom('', 'RETURN (MIN COUNT) ', 'RETURN (SAVE) ', 'RETURN (PARTIAL 1:10) '), fc.array(searchKey, { minLength: 1, maxLength: 3 })).map(([i, r, k]) => `ESEARCH ${i}${r}${k.join(' ')}`),
  fc.tuple(fc.constantFrom('GETQUOTA', 'SETQUOTA', 'GETQUOTAROOT'), astring, fc.constantFrom('', ' (STORAGE 512)', ' (STORAGE 1 MAILBOX 2)', ' ()', ' (STORAGE)', ' (STORAGE 99999999999999999999)')).map(([c, r, l]) => `${c} ${r}${l}`),
  // RFC 4314 ACL and the Other Users namespace (names of another account, with and without grants)
  fc.tuple(fc.constantFrom('SETACL', 'DELETEACL', 'GETACL', 'LISTRIGHTS', 'MYRIGHTS'), fc.constantFrom('INBOX', '"Other Users/bob@example.test/INBOX"', '"Other Users/"', '"Other Users"', '"Other Users/x@y/a/b"', '{3+}\r\nabc'), fc.constantFrom('', ' bob@example.test', ' anyone', ' "" ""', ' -bob@example.test lr', ' bob@example.test +cda', ' bob@example.test lrQ', ' bob@example.test "-"', ' {1+}\r\nx lr')).map(([c, m, r]) => `${c} ${m}${r}`),
  fc.constantFrom('LIST "" "Shared/*" RETURN (MYRIGHTS)', 'SELECT "Shared/x"', 'CREATE "Shared/x/y"', 'SETACL "Shared/x" anyone lr', 'LIST "" "Other Users/*" RETURN (MYRIGHTS)', 'LIST "Other Users/" % RETURN (MYRIGHTS STATUS (MESSAGES))', 'SELECT "Other Users/bob@example.test/INBOX"', 'APPEND "Other Users/bob@example.test/INBOX" {1+}\r\nx', 'COPY 1 "Other Users/bob@example.test/INBOX"'),
  fc.constantFrom('AUTHENTICATE PLAIN', 'AUTHENTICATE PLAIN AGFAYg==', 'AUTHENTICATE PLAIN =', 'ENABLE IMAP4rev2 CONDSTORE', 'ID ("name" "x" "version" NIL)', 'ID NIL', 'UID EXPUNGE 1:3', 'NOOP', 'IDLE', 'NAMESPACE', 'CAPABILITY', 'UNSELECT', 'CLOSE', 'EXPUNGE', 'CHECK', 'LOGOUT'),
);

/** the dictionary byte-level mutations insert */
export const IMAP_DICT = ['(', ')', '[', ']', '<', '>', '{', '}', '{4294967296}', '{10}\r\n', '~{1}', '"', '\\', ' ', '\r\n', '\n', '*', '%', '$', 'NIL', '\0', '\xff', '&', '-', '.', ':', ',', '+'];
