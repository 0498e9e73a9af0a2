/** RFC 5228 (Sieve base language): the examples of the RFC and the rules of §2, §3, §4, §5. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScript, checkScript, SieveError } from '../../../src/sieve/index.js';
import { actions, msg, run } from './harness.js';

const plain = msg(`
From: "Coyote" <coyote@desert.example.org>
To: roadrunner@acme.example.com
Subject: I have a present for you
Date: Fri, 21 Nov 1997 09:55:06 -0600
Message-ID: <123@desert.example.org>
`, 'Look, I\'m sorry about the whole anvil thing\r\n');

test('§2.10.2 implicit keep: an empty script keeps the message', async () => {
  assert.deepEqual(await actions('', plain), ['keep']);
  assert.deepEqual(await actions('# nothing\r\n/* still nothing */', plain), ['keep']);
});

test('§4.3 discard cancels the implicit keep; §4.2 redirect too', async () => {
  assert.deepEqual(await actions('discard;', plain), ['discard']);
  assert.deepEqual(await actions('redirect "bart@example.com";', plain), ['redirect:bart@example.com']);
  assert.deepEqual(await actions('redirect "bart@example.com"; keep;', plain), ['redirect:bart@example.com', 'keep']);
});

test('§9 the first example script of the RFC', async () => {
  const script = `
     #
     # Example Sieve Filter
     # Declare any optional features or extension used by the script
     #
     require ["fileinto"];

     #
     # Handle messages from known mailing lists
     # Move messages from IETF filter discussion list to filter mailbox
     #
     if header :is "Sender" "owner-ietf-mta-filters@imc.org"
             {
             fileinto "filter";  # move to "filter" mailbox
             }
     #
     # Keep all messages to or from people in my company
     #
     elsif address :DOMAIN :is ["From", "To"] "example.com"
             {
             keep;               # keep in "In" mailbox
             }

     #
     # Try and catch unsolicited email.  If a message is not to me,
     # or it contains a subject known to be used by spammers, file it
     # as spam.
     #
     elsif anyof (NOT address :all :contains
                    ["To", "Cc", "Bcc"] "me@example.com",
                  header :matches "subject"
                    ["*make*money*fast*", "*university*dipl*mas*"])
             {
             fileinto "spam";   # move to "spam" mailbox
             }
     else
             {
             # Move all other (non-company) mail to "personal"
             # mailbox.
             fileinto "personal";
             }
`;
  assert.deepEqual(await actions(script, msg('Sender: owner-ietf-mta-filters@imc.org\nTo: me@example.com\nSubject: x')), ['fileinto:filter']);
  assert.deepEqual(await actions(script, msg('From: boss@example.com\nTo: me@example.com\nSubject: x')), ['keep']);
  assert.deepEqual(await actions(script, msg('From: a@spam.test\nTo: someone@else.test\nSubject: hi')), ['fileinto:spam']);
  assert.deepEqual(await actions(script, msg('From: a@spam.test\nTo: list@elsewhere.test\nCc: me@example.com\nSubject: MAKE lots of MONEY FAST')), ['fileinto:spam']);
  assert.deepEqual(await actions(script, msg('From: friend@elsewhere.test\nTo: group@lists.test\nCc: me@example.com\nSubject: lunch?')), ['fileinto:personal']);
});

test('§2.4.2 strings: escapes, multi-line text: with dot-stuffing and a hash comment', async () => {
  const r = await run(
    'require "fileinto";\nif header :is "Subject" "a \\"quoted\\" \\\\ word \\q" { fileinto text: # comment\n..dotted\nline two\n.\n; }',
    msg('Subject: a "quoted" \\ word q'),
  );
  assert.equal(r.actions[0]!.type, 'fileinto');
  assert.equal((r.actions[0] as { mailbox: string }).mailbox, '.dotted\r\nline two\r\n');
});

test('§2.4.1 numbers with K, M and G quantifiers; §5.9 size', async () => {
  const big = msg('Subject: big', 'x'.repeat(2000) + '\r\n');
  assert.deepEqual(await actions('if size :over 1K { discard; }', big), ['discard']);
  assert.deepEqual(await actions('if size :under 1K { discard; }', big), ['keep']);
  assert.deepEqual(await actions('if size :over 1M { discard; }', big), ['keep']);
  assert.deepEqual(await actions('if size :under 1G { discard; }', big), ['discard']);
});

test('§5.1 address with :localpart, :domain, :all; §2.7.3 comparators', async () => {
  const m = msg('From: "Ann" <Ann.Other@Example.COM>\nTo: a@x.test, b@y.test');
  assert.deepEqual(await actions('if address :localpart :is "from" "ann.other" { discard; }', m), ['discard']);
  assert.deepEqual(await actions('if address :domain :is "from" "example.com" { discard; }', m), ['discard']);
  assert.deepEqual(await actions('if address :comparator "i;octet" :domain :is "from" "example.com" { discard; }', m), ['keep']);
  assert.deepEqual(await actions('if address :all :is "to" "b@y.test" { discard; }', m), ['discard']);
  assert.deepEqual(await actions('if address :is "to" "c@y.test" { discard; }', m), ['keep']);
});

test('§5.5 exists, §5.6 false/true, §5.8 not, §5.2/§5.3 allof/anyof', async () => {
  const m = msg('From: a@b.test\nSubject: s');
  assert.deepEqual(await actions('if exists ["From","Subject"] { discard; }', m), ['discard']);
  assert.deepEqual(await actions('if exists ["From","Date"] { discard; }', m), ['keep']);
  assert.deepEqual(await actions('if not exists "Date" { discard; }', m), ['discard']);
  assert.deepEqual(await actions('if allof (true, false) { discard; }', m), ['keep']);
  assert.deepEqual(await actions('if anyof (false, true) { discard; }', m), ['discard']);
  assert.deepEqual(await actions('if false { discard; } elsif true { stop; discard; } else { discard; }', m), ['keep']);
});

test('§5.7 header decodes RFC 2047 words; :contains and :matches with escapes', async () => {
  const m = msg('Subject: =?UTF-8?B?w4lww6l0w6k=?= and *stars*');
  assert.deepEqual(await actions('if header :contains "subject" "Épété" { discard; }', m), ['discard']);
  assert.deepEqual(await actions('if header :matches "subject" "*\\\\*stars\\\\*" { discard; }', m), ['discard']);
  assert.deepEqual(await actions('if header :matches "subject" "?x*" { discard; }', m), ['keep']);
  assert.deepEqual(await actions('if header :matches "subject" "?p?t?*" { discard; }', m), ['discard']);
});

test('§3.2 require: unknown extensions and late require are errors with their position', () => {
  assert.throws(() => compileScript('require "frobnicate";'), (e: unknown) => e instanceof SieveError && e.line === 1 && e.column === 9);
  assert.throws(() => compileScript('keep;\nrequire "fileinto";'), (e: unknown) => e instanceof SieveError && e.line === 2 && e.column === 1);
  const r = checkScript('if true {\n  fileinto "x";\n}');
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.error.line === 2 && r.error.column === 3 && /require "fileinto"/.test(r.error.message), !r.ok ? r.error.message : '');
});

test('syntax errors carry line and column', () => {
  const cases: Array<[string, number, number]> = [
    ['keep', 1, 5],
    ['if true { keep;', 1, 16],
    ['if header :is "a" { keep; }', 1, 4],
    ['fileinto "x";', 1, 1],
    ['keep;\n  discard "x";', 2, 11],
    ['if size :over "x" { keep; }', 1, 15],
    ['if true { keep; } else keep;', 1, 19],
    ['\n\n  "unterminated', 3, 3],
    ['if header :is :contains "a" "b" { keep; }', 1, 15],
    ['else { keep; }', 1, 1],
    ['if anyof true { keep; }', 1, 4],
    ['redirect "not an address";', 1, 10],
    ['if header :frob "a" "b" { keep; }', 1, 11],
  ];
  for (const [src, line, column] of cases) {
    const r = checkScript(src);
    assert.equal(r.ok, false, src);
    if (!r.ok) assert.deepEqual([r.error.line, r.error.column], [line, column], `${JSON.stringify(src)}: ${r.error.message}`);
  }
});

test('§2.10.3 one copy per mailbox; stop ends the script', async () => {
  assert.deepEqual(await actions('require "fileinto"; fileinto "a"; fileinto "a"; keep; keep;', plain), ['fileinto:a', 'keep']);
  assert.deepEqual(await actions('require "fileinto"; fileinto "INBOX"; keep;', plain), ['fileinto:INBOX']);
  assert.deepEqual(await actions('stop; discard;', plain), ['keep']);
});
