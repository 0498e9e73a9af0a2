/** The Sieve extensions, from the examples of their RFCs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScript, checkScript, runScript, SieveRuntimeError } from '../../../src/sieve/index.js';
import { actions, envFor, msg, run } from './harness.js';

test('RFC 3894 copy: redirect :copy and fileinto :copy keep the implicit keep', async () => {
  const m = msg('Subject: x');
  assert.deepEqual(await actions('require ["copy", "fileinto"]; redirect :copy "a@b.example"; fileinto :copy "Archive";', m), ['redirect:a@b.example', 'fileinto:Archive', 'keep']);
  assert.equal(checkScript('redirect :copy "a@b.example";').ok, false, ':copy needs require "copy"');
});

test('RFC 5228 §2.4.2.4 encoded-character', async () => {
  const m = msg('Subject: $$$ Money');
  assert.deepEqual(await actions('require "encoded-character"; if header :contains "subject" "$${hex:24 24}" { discard; }', m), ['discard']);
  assert.deepEqual(await actions('require "encoded-character"; if header :contains "subject" "${unicode:4D}oney" { discard; }', m), ['discard']);
  // without the extension the text is taken literally
  assert.deepEqual(await actions('if header :contains "subject" "${hex:24}" { discard; }', m), ['keep']);
});

test('RFC 5229 variables: set with modifiers, ${N} from :matches, the string test', async () => {
  const m = msg('Subject: [acme-users] [fwd] version 1.0 is out\nList-ID: Acme users <acme-users@example.com>');
  const r = await run(
    `require ["variables", "fileinto"];
     if header :matches "List-ID" "*<*@*" { fileinto "INBOX.lists.\${2}"; stop; }`,
    m,
  );
  assert.deepEqual(r.actions.map((a) => (a.type === 'fileinto' ? a.mailbox : a.type)), ['INBOX.lists.acme-users']);
  const r2 = await run(
    `require ["variables", "fileinto"];
     if header :matches "Subject" "[*] *" { set "one" "\${1}"; set "two" "\${2}"; }
     fileinto "\${one}|\${two}";`,
    m,
  );
  assert.equal((r2.actions[0] as { mailbox: string }).mailbox, 'acme-users|[fwd] version 1.0 is out', 'earlier wildcards match as little as possible');
  const mods = await run(
    `require ["variables", "fileinto"];
     set "a" "juMBlEd lETteRS";
     set :length "b" "\${a}";
     set :lower "c" "\${a}";
     set :upperfirst "d" "\${a}";
     set :upperfirst :lower "e" "\${a}";
     set :quotewildcard "f" "Rock*";
     fileinto "\${b}/\${c}/\${d}/\${e}/\${f}";`,
    m,
  );
  assert.equal((mods.actions[0] as { mailbox: string }).mailbox, '15/jumbled letters/JuMBlEd lETteRS/Jumbled letters/Rock\\*');
  assert.deepEqual(await actions('require "variables"; set "x" "abc"; if string :is "${x}" "abc" { discard; }', m), ['discard']);
  assert.deepEqual(await actions('require ["variables", "relational"]; if string :count "eq" ["a", "", "b"] "2" { discard; }', m), ['discard']);
  assert.deepEqual(await actions('require "variables"; if string :is "${unknown}" "" { discard; }', m), ['discard'], 'unknown variables are empty');
  assert.equal(checkScript('require "variables"; set "1bad" "x";').ok, false);
  assert.equal(checkScript('require "variables"; set :lower :upper "x" "y";').ok, false, 'one modifier per precedence');
});

test('RFC 5232 imap4flags: setflag/addflag/removeflag, hasflag, :flags and the implicit keep', async () => {
  const m = msg('From: boss@example.com\nSubject: urgent');
  const r = await run(
    `require ["imap4flags", "fileinto"];
     if header :contains "from" "boss@example.com" { setflag "\\\\flagged"; addflag ["$Work", "\\\\seen \\\\Answered"]; removeflag "\\\\Answered"; }
     if hasflag :contains "work" { fileinto "Work"; }`,
    m,
  );
  assert.deepEqual(r.actions.map((a) => (a.type === 'fileinto' ? `${a.mailbox}:${a.flags.join(',')}` : a.type)), ['Work:\\Flagged,$Work,\\Seen']);
  const implicit = await run('require "imap4flags"; addflag "\\\\Seen";', m);
  assert.deepEqual(implicit.actions, [{ type: 'keep', flags: ['\\Seen'], raw: null, implicit: true }]);
  const explicit = await run('require "imap4flags"; addflag "\\\\Seen"; keep :flags "$Later";', m);
  assert.deepEqual(explicit.actions.map((a) => a.type === 'keep' && a.flags), [['$Later']], ':flags replaces the internal variable for that action');
  const named = await run('require ["imap4flags", "variables", "fileinto"]; addflag "mine" ["a", "b"]; removeflag "mine" "a"; if hasflag "mine" "b" { fileinto :flags "${mine}" "X"; }', m);
  assert.deepEqual(named.actions.map((a) => a.type === 'fileinto' && a.flags), [['b']]);
  assert.deepEqual((await run('require "imap4flags"; addflag "\\\\Recent";', m)).actions.map((a) => a.type === 'keep' && a.flags), [[]], '\\Recent cannot be set');
});

test('RFC 5173 body: :text, :content, :raw', async () => {
  const mime = msg(
    'From: a@example.com\nSubject: report\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"',
    '--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nThe MAKE MONEY FAST offer=20ends soon\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>html <b>part</b></p>\r\n--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQgc2VjcmV0\r\n--b--\r\n',
  );
  assert.deepEqual(await actions('require "body"; if body :contains "make money fast" { discard; }', mime), ['discard']);
  assert.deepEqual(await actions('require "body"; if body :contains "offer ends" { discard; }', mime), ['discard'], 'transfer encoding decoded');
  assert.deepEqual(await actions('require "body"; if body :content "text/html" :matches "*html*part*" { discard; }', mime), ['discard']);
  assert.deepEqual(await actions('require "body"; if body :content "text/html" :contains "<b>" { discard; }', mime), ['keep'], 'HTML reduced to text');
  assert.deepEqual(await actions('require "body"; if body :content "application/pdf" :contains "secret" { discard; }', mime), ['discard']);
  assert.deepEqual(await actions('require "body"; if body :content "text/plain" :contains "secret" { discard; }', mime), ['keep']);
  assert.deepEqual(await actions('require "body"; if body :raw :contains "offer=20ends" { discard; }', mime), ['discard'], ':raw is undecoded');
});

test('RFC 5231 relational and i;ascii-numeric', async () => {
  const m = msg('To: a@x.example, b@x.example, c@x.example\nCc: d@x.example\nX-Spam-Score: 12\nX-Priority: 003');
  const num = 'require ["relational", "comparator-i;ascii-numeric"];';
  assert.deepEqual(await actions(`${num} if address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] "3" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${num} if address :count "gt" :comparator "i;ascii-numeric" ["to", "cc"] "4" { discard; }`, m), ['keep']);
  assert.deepEqual(await actions(`${num} if header :value "gt" :comparator "i;ascii-numeric" "x-spam-score" "9" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${num} if header :value "gt" "x-spam-score" "9" { discard; }`, m), ['keep'], 'string order without the numeric comparator');
  assert.deepEqual(await actions(`${num} if header :value "eq" :comparator "i;ascii-numeric" "x-priority" "3" { discard; }`, m), ['discard'], 'leading zeros');
  assert.deepEqual(await actions(`${num} if header :value "lt" :comparator "i;ascii-numeric" "to" "9" { discard; }`, m), ['keep'], 'no digits = positive infinity');
  assert.equal(checkScript('require "comparator-i;ascii-numeric"; if header :contains :comparator "i;ascii-numeric" "a" "1" {}').ok, false);
  assert.equal(checkScript('if header :comparator "i;ascii-numeric" "a" "1" {}').ok, false, 'needs its require');
  assert.equal(checkScript('require "relational"; if header :value "xx" "a" "1" {}').ok, false);
});

test('RFC 5233 subaddress: :user and :detail', async () => {
  const m = msg('To: ken+sieve@example.org\nFrom: ken@example.org');
  const sub = 'require ["envelope", "subaddress", "fileinto"];';
  assert.deepEqual(await actions(`${sub} if envelope :detail "to" "mta-filters" { fileinto "inbox.ietf-mta-filters"; }`, m, { to: 'ken+mta-filters@example.org' }), ['fileinto:inbox.ietf-mta-filters']);
  assert.deepEqual(await actions(`${sub} if address :user "to" "ken" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${sub} if address :detail "to" "sieve" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${sub} if address :detail :matches "from" "*" { discard; }`, m), ['keep'], 'no separator: :detail matches nothing');
  assert.deepEqual(await actions(`${sub} if envelope :all :is "from" "" { discard; }`, m, { from: '' }), ['discard'], 'the null sender is ""');
});

test('RFC 5260 date, currentdate and index', async () => {
  const m = msg('Date: Sun, 1 Mar 2026 23:30:00 -0500\nReceived: from a by b; Sun, 1 Mar 2026 22:00:00 -0500\nReceived: from c by d; Sun, 1 Mar 2026 21:00:00 -0500\nX-Seq: 1\nX-Seq: 2');
  const d = 'require ["date", "relational", "index"];';
  assert.deepEqual(await actions(`${d} if date :zone "+0000" "date" "date" "2026-03-02" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${d} if date :originalzone "date" "hour" "23" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${d} if date :originalzone "date" "zone" "-0500" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${d} if date :zone "+0000" "date" "weekday" "1" { discard; }`, m), ['discard'], 'Monday in UTC');
  assert.deepEqual(await actions(`${d} if date :zone "+0000" "date" "julian" "61101" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${d} if date :zone "+0000" "date" "iso8601" "2026-03-02T04:30:00+00:00" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${d} if date :zone "+0000" "date" "std11" "Mon, 02 Mar 2026 04:30:00 +0000" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${d} if date :index 1 :last :originalzone "received" "hour" "21" { discard; }`, m), ['discard'], 'last Received, date after ";"');
  assert.deepEqual(await actions(`${d} if header :index 2 "x-seq" "2" { discard; }`, m), ['discard']);
  assert.deepEqual(await actions(`${d} if header :index 3 "x-seq" "2" { discard; }`, m), ['keep']);
  const now = new Date('2026-03-01T12:00:00Z');
  assert.deepEqual(await actions(`${d} if allof (currentdate :zone "+0000" :value "ge" "date" "2026-01-01", currentdate :zone "+0000" :value "lt" "date" "2026-04-01") { discard; }`, m, { now }), ['discard']);
  assert.deepEqual(await actions(`${d} if currentdate :zone "+0100" "hour" "13" { discard; }`, m, { now }), ['discard']);
  assert.deepEqual(await actions(`${d} if date "x-missing" "year" "2026" { discard; }`, m), ['keep']);
  assert.equal(checkScript(`${d} if date "date" "fortnight" "1" {}`).ok, false);
  assert.equal(checkScript(`${d} if date :zone "CET" "date" "year" "1" {}`).ok, false);
  assert.equal(checkScript('require "date"; if header :index 1 "a" "b" {}').ok, false, ':index needs require "index"');
});

test('RFC 5490 mailbox and RFC 9042 mailboxid', async () => {
  const m = msg('Subject: x');
  const r = await run('require ["mailbox", "fileinto"]; if mailboxexists "Junk" { fileinto :create "Junk"; } if not mailboxexists "Nope" { fileinto :create "Nope"; }', m);
  assert.deepEqual(r.actions.map((a) => a.type === 'fileinto' && `${a.mailbox}${a.create ? '+create' : ''}`), ['Junk+create', 'Nope+create']);
  assert.deepEqual(await actions('require ["mailboxid", "fileinto"]; if mailboxidexists "id2" { fileinto :mailboxid "id2" "Junk"; }', m), ['fileinto:Junk']);
  const byId = await run('require ["mailboxid", "fileinto"]; fileinto :mailboxid "id3" "Elsewhere";', m);
  assert.equal((byId.actions[0] as { mailboxId: string }).mailboxId, 'id3');
});

test('RFC 5429 reject and ereject cancel the keep and exclude other deliveries', async () => {
  const m = msg('Subject: spam');
  assert.deepEqual(await actions('require "reject"; reject "go away";', m), ['reject:go away']);
  assert.deepEqual(await actions('require "ereject"; ereject "no";', m), ['ereject:no']);
  await assert.rejects(run('require ["reject", "fileinto"]; fileinto "x"; reject "no";', m), SieveRuntimeError);
  await assert.rejects(run('require ["reject", "vacation"]; vacation "away"; reject "no";', msg('To: user@example.com')), SieveRuntimeError);
  await assert.rejects(run('require "reject"; reject "a"; reject "b";', m), SieveRuntimeError);
});

test('RFC 6609 include, return, global, :once, :optional, loops and depth', async () => {
  const m = msg('Subject: x');
  const scripts = {
    spam: 'require "fileinto"; if header :contains "subject" "x" { fileinto "Spam"; }',
    setter: 'require ["include", "variables"]; global "who"; set "who" "included";',
    returner: 'require "include"; return; discard;',
    self: 'require "include"; include "self";',
    deep: 'require "include"; include "deep";',
  };
  assert.deepEqual(await actions('require "include"; include "spam"; include :once "spam";', m, { scripts }), ['fileinto:Spam']);
  assert.deepEqual(await actions('require ["include", "variables", "fileinto"]; global "who"; include "setter"; fileinto "${who}";', m, { scripts }), ['fileinto:included']);
  assert.deepEqual(await actions('require "include"; include "returner"; discard;', m, { scripts }), ['discard'], 'return leaves the included script only');
  assert.deepEqual(await actions('require "include"; include :optional "missing";', m, { scripts }), ['keep']);
  assert.deepEqual(await actions('require "include"; include :global "policy";', m, { globalScripts: { policy: 'discard;' } }), ['discard']);
  await assert.rejects(run('require "include"; include "missing";', m, { scripts }), (e: unknown) => e instanceof SieveRuntimeError && e.kind === 'include');
  await assert.rejects(run('require "include"; include "self";', m, { scripts }), (e: unknown) => e instanceof SieveRuntimeError && /loop/.test(e.message));
  assert.equal(checkScript('require "include"; include "a/b";').ok, false);
});

test('RFC 7352 duplicate: by Message-ID, :header, :uniqueid, :handle; remembered after delivery', async () => {
  const m = msg('Message-ID: <1@example.com>\nX-Ticket: 42');
  const seen = new Set<string>();
  const script = compileScript('require "duplicate"; if duplicate { discard; }');
  const first = await runScript(script, envFor(m, { seen }));
  assert.deepEqual(first.actions.map((a) => a.type), ['keep']);
  assert.equal(first.duplicates.length, 1);
  seen.add(first.duplicates[0]!.id);
  assert.deepEqual((await runScript(script, envFor(m, { seen }))).actions.map((a) => a.type), ['discard']);
  const other = await runScript(compileScript('require "duplicate"; if duplicate :handle "other" { discard; }'), envFor(m, { seen }));
  assert.deepEqual(other.actions.map((a) => a.type), ['keep'], 'another handle tracks separately');
  const byHeader = await runScript(compileScript('require "duplicate"; if duplicate :header "x-ticket" :seconds 60 { discard; }'), envFor(m));
  assert.equal(byHeader.duplicates[0]!.seconds, 60);
  assert.deepEqual(await actions('require "duplicate"; if duplicate { discard; }', msg('Subject: no id')), ['keep'], 'no Message-ID: never a duplicate');
  assert.deepEqual(await actions('require ["duplicate", "variables"]; set "id" "x"; if duplicate :uniqueid "${id}" { discard; } if duplicate :uniqueid "${id}" { discard; }', m), ['discard'], 'the same id twice in one run');
});

test('RFC 5235 spamtest and spamtestplus, fed from the spam verdict', async () => {
  const m = msg('Subject: x');
  const st = 'require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto"];';
  assert.deepEqual(await actions(`${st} if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "Untested"; }`, m), ['fileinto:Untested']);
  const spam = { junk: true, score: 12, threshold: 6 };
  assert.deepEqual(await actions(`${st} if spamtest :value "ge" :comparator "i;ascii-numeric" "9" { fileinto "Junk"; }`, m, { spam }), ['fileinto:Junk']);
  const mild = { junk: false, score: 3, threshold: 6 };
  assert.deepEqual(await actions(`${st} if spamtest :value "ge" :comparator "i;ascii-numeric" "9" { fileinto "Junk"; }`, m, { spam: mild }), ['keep']);
  assert.deepEqual(await actions('require ["spamtestplus", "relational", "comparator-i;ascii-numeric"]; if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "50" { discard; }', m, { spam: mild }), ['discard']);
  assert.equal(checkScript('require "spamtest"; if spamtest :percent "1" {}').ok, false, ':percent needs spamtestplus');
});

test('RFC 5293 editheader: later tests see the edits, actions deliver them, protected fields stay', async () => {
  const m = msg('Received: from x by y\nX-Spam: yes\nX-Spam: maybe\nSubject: hi');
  const r = await run(
    `require ["editheader", "fileinto"];
     addheader "X-Filtered" "by sieve";
     deleteheader :contains "x-spam" "may";
     deleteheader "received";
     if header :is "x-filtered" "by sieve" { fileinto "Done"; }
     addheader :last "X-Later" "après";`,
    m,
  );
  assert.equal(r.notes.length, 1, 'deleting Received is refused with a note');
  const filed = r.actions.find((a) => a.type === 'fileinto') as { raw: Buffer };
  const text = filed.raw.toString();
  assert.match(text, /^X-Filtered: by sieve\r\nReceived: from x by y\r\nX-Spam: yes\r\nSubject: hi\r\n\r\nHello/);
  assert.doesNotMatch(text, /X-Later/, 'edits after the action are not in its copy');
  const kept = await run('require "editheader"; addheader :last "X-Later" "après";', m);
  assert.match((kept.actions[0] as { raw: Buffer }).raw.toString(), /\r\nX-Later: =\?UTF-8\?B\?YXByw6hz\?=\r\n\r\n/);
  const idx = await run('require ["editheader", "index"]; deleteheader :index 1 :last "x-spam";', m);
  assert.match((idx.actions[0] as { raw: Buffer }).raw.toString(), /X-Spam: yes\r\nSubject/);
  assert.equal(checkScript('require "editheader"; addheader "bad name" "x";').ok, false);
});

test('RFC 5230 vacation: the reply, and when there must be none (RFC 3834)', async () => {
  const base = 'From: Dave <dave@example.org>\nTo: user@example.com\nSubject: lunch\nMessage-ID: <m1@example.org>';
  const v = 'require ["vacation", "vacation-seconds"];';
  const r = await run(`${v} vacation :days 5 :subject "Away" :addresses ["alias@example.com"] "Back soon.";`, msg(base), { from: 'dave@example.org' });
  const a = r.actions.find((x) => x.type === 'vacation');
  assert.ok(a && a.type === 'vacation');
  assert.equal(a.to, 'dave@example.org');
  assert.equal(a.subject, 'Away');
  assert.equal(a.seconds, 5 * 86400);
  assert.equal(a.messageId, '<m1@example.org>');
  assert.deepEqual(r.actions.map((x) => x.type), ['vacation', 'keep'], 'vacation keeps the implicit keep');
  const dflt = await run(`${v} vacation "x";`, msg(base), { from: 'dave@example.org' });
  assert.equal((dflt.actions[0] as { subject: string }).subject, 'Auto: lunch');
  const clamped = await run(`${v} vacation :seconds 1 "x";`, msg(base), { from: 'dave@example.org' });
  assert.equal((clamped.actions[0] as { seconds: number }).seconds, 86400, 'clamped to the minimum period');
  const none = async (headers: string, from = 'dave@example.org') => (await run(`${v} vacation "x";`, msg(headers), { from })).actions.filter((x) => x.type === 'vacation').length;
  assert.equal(await none(base, ''), 0, 'null sender');
  assert.equal(await none(base, 'owner-list@example.org'), 0);
  assert.equal(await none(base, 'list-request@example.org'), 0);
  assert.equal(await none(base, 'MAILER-DAEMON@example.org'), 0);
  assert.equal(await none(base + '\nList-Id: <x.example.org>'), 0);
  assert.equal(await none(base + '\nPrecedence: bulk'), 0);
  assert.equal(await none(base + '\nAuto-Submitted: auto-replied'), 0);
  assert.equal(await none(base + '\nAuto-Submitted: no'), 1);
  assert.equal(await none(base.replace('To: user@example.com', 'To: someone@else.example')), 0, 'not addressed to the user');
  assert.equal(await none(base.replace('To: user@example.com', 'To: someone@else.example\nBcc: user@example.com')), 1);
});
