/**
 * Hostile input for IMAP over a real socket, on the memory and the SQLite store. Every case
 * must end in a protocol-correct error (tagged BAD/NO, untagged BAD/BYE) or a clean
 * disconnect; afterwards the process has recorded no uncaught exception or unhandled
 * rejection, every protocol answers a fresh connection and the seeded message is byte-exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnBackends, rng, taggedReply, LIMITS, type Fixture, type RawClient } from './harness.js';

/** waits for the tagged reply of `tag`, or the close of the connection ('closed') */
async function reply(c: RawClient, tag: string, timeoutMs = 5000): Promise<string> {
  await c.expect((x) => taggedReply(x, tag) !== null || c.closed, `a tagged reply for ${tag} or a disconnect`, timeoutMs);
  return taggedReply(c.text, tag) ?? 'closed';
}

/** every line the server sent is an IMAP response line (literal contents skipped), none an internal error */
function assertWellFormed(text: string): void {
  assert.doesNotMatch(text, /\[SERVERBUG\]/, 'no internal server error');
  let i = 0;
  let continued = false; // the rest of a line after a literal
  while (i < text.length) {
    const lf = text.indexOf('\r\n', i);
    if (lf < 0) break; // a partial line at a disconnect
    const line = text.slice(i, lf);
    if (!continued) {
      assert.match(line, /^(\* [A-Z0-9]|\+( |$)|[^\s]+ (OK|NO|BAD)( |$))/, `not an IMAP response line: ${JSON.stringify(line.slice(0, 200))}`);
    }
    const lit = /~?\{(\d+)\}$/.exec(line);
    continued = lit !== null;
    i = lf + 2 + (lit ? Number(lit[1]) : 0);
  }
}

/** the command was refused: tagged NO/BAD, or the server hung up */
function assertRefused(r: string, what: string): void {
  assert.match(r, /^(NO|BAD)\b|^closed$/, `${what}: expected NO/BAD or a disconnect, got ${r}`);
}

/** a fresh, greeted, unauthenticated connection to the same server as `c` */
async function RawClientFor(c: RawClient): Promise<RawClient> {
  const { RawClient: Raw } = await import('./raw.js');
  const d = await Raw.connect(c.socket.remotePort!);
  await d.expect((x) => x.includes('\r\n'), 'greeting');
  d.take();
  return d;
}

interface Case {
  name: string;
  /** log in first (default true) */
  login?: boolean;
  run(c: RawClient, f: Fixture): Promise<void>;
}

const cases: Case[] = [
  {
    name: 'random bytes (with CRLFs) before login',
    login: false,
    async run(c) {
      const r = rng(1);
      for (let k = 0; k < 20; k++) c.write(Buffer.concat([r.bytes(200).map((b) => (b === 0x7b ? 0x20 : b)), Buffer.from('\r\n')]));
      await c.until(() => c.closed, 1500);
      assertWellFormed(c.text);
    },
  },
  {
    name: 'random bytes after login',
    async run(c) {
      const r = rng(2);
      for (let k = 0; k < 20; k++) c.write(Buffer.concat([r.bytes(300).map((b) => (b === 0x7b ? 0x20 : b)), Buffer.from('\r\n')]));
      await c.until(() => c.closed, 1500);
      assertWellFormed(c.text);
    },
  },
  {
    name: 'a command line longer than limits.line_length',
    async run(c) {
      c.write(`A1 NOOP ${'x'.repeat(LIMITS.line_length + 100)}\r\nA2 NOOP\r\n`);
      await c.expect((x) => /BAD|BYE/.test(x) || c.closed, 'BAD/BYE or a disconnect');
      assert.notEqual(taggedReply(c.text, 'A1')?.slice(0, 2), 'OK');
      assertWellFormed(c.text);
    },
  },
  {
    name: '4 MB without any line end is not buffered forever',
    async run(c) {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      for (let k = 0; k < 64 && !c.closed; k++) c.write(chunk);
      await c.expect((x) => /BAD|BYE/.test(x) || c.closed, 'BAD/BYE or a disconnect for an endless line', 8000);
      assertWellFormed(c.text);
    },
  },
  {
    name: 'APPEND announcing {99999999999}: no continuation, NO [TOOBIG]/BAD',
    async run(c, f) {
      const before = await f.inboxCount();
      c.write('A1 APPEND INBOX {99999999999}\r\n');
      const r = await reply(c, 'A1');
      assertRefused(r, 'huge literal');
      assert.doesNotMatch(c.text, /^\+/m, 'no "+" continuation for a literal over the limit');
      assert.equal(await f.inboxCount(), before);
    },
  },
  {
    name: 'APPEND announcing {99999999999+} (LITERAL+): BAD or disconnect, nothing stored',
    async run(c, f) {
      const before = await f.inboxCount();
      c.write('A1 APPEND INBOX {99999999999+}\r\nSubject: x\r\n\r\nhi\r\n');
      await c.expect((x) => /BAD|NO|BYE/.test(x) || c.closed, 'refusal of the non-synchronizing literal');
      assert.equal(await f.inboxCount(), before);
      assertWellFormed(c.text);
    },
  },
  {
    name: 'literal size overflowing 64 bits {18446744073709551617}',
    async run(c) {
      c.write('A1 APPEND INBOX {18446744073709551617}\r\n');
      assertRefused(await reply(c, 'A1'), 'overflowing literal');
      assert.doesNotMatch(c.text, /^\+/m);
    },
  },
  {
    name: 'huge literal in LOGIN before authentication',
    login: false,
    async run(c) {
      c.write('A1 LOGIN {99999999999}\r\n');
      assertRefused(await reply(c, 'A1'), 'huge LOGIN literal');
      assert.doesNotMatch(c.text, /^\+/m);
    },
  },
  {
    name: 'unterminated APPEND literal, then disconnect: nothing half-stored',
    async run(c, f) {
      const before = await f.inboxCount();
      c.write('A1 APPEND INBOX {5000}\r\n');
      await c.expect((x) => /^\+/m.test(x), 'continuation');
      c.write('Subject: half\r\n\r\n' + 'y'.repeat(1000));
      await new Promise((r) => setTimeout(r, 100));
      c.destroy();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await f.inboxCount(), before, 'no message from a literal cut short');
    },
  },
  {
    name: 'APPEND whose literal is shorter than what follows: BAD, nothing stored',
    async run(c, f) {
      const before = await f.inboxCount();
      c.write('A1 APPEND INBOX {10+}\r\nSubject: too long for ten bytes\r\n');
      const r = await reply(c, 'A1');
      assertRefused(r, 'garbage after the literal');
      assert.equal(await f.inboxCount(), before, 'APPEND with trailing garbage stores nothing');
    },
  },
  {
    name: 'APPEND of an empty literal {0}',
    async run(c) {
      c.write('A1 APPEND INBOX {0+}\r\n\r\n');
      const r = await reply(c, 'A1');
      assert.match(r, /^(OK|NO|BAD)/);
    },
  },
  {
    name: 'NUL and 8-bit bytes inside APPEND literals (plain and literal8): refused, or stored and returned byte-exact',
    async run(c, f) {
      const raw = Buffer.concat([Buffer.from('Subject: nul\r\n\r\nbefore'), Buffer.from([0, 0xff, 0x80, 0]), Buffer.from('after\r\n')]);
      c.write(Buffer.concat([Buffer.from(`A1 APPEND INBOX {${raw.length}+}\r\n`), raw, Buffer.from('\r\n')]));
      c.write(Buffer.concat([Buffer.from(`A2 APPEND INBOX ~{${raw.length}+}\r\n`), raw, Buffer.from('\r\n')]));
      const r1 = await reply(c, 'A1');
      const r2 = await reply(c, 'A2');
      for (const [tag, r] of [['A1', r1], ['A2', r2]] as const) {
        assert.match(r, /^(OK|NO|BAD)|^closed$/);
        const uid = /APPENDUID \d+ (\d+)/.exec(r)?.[1];
        if (!uid) continue;
        const stored = await f.t.ctx.store.getRaw(f.account.id, f.inboxId, Number(uid));
        assert.ok(stored.equals(raw), `${tag}: stored byte-exact`);
        c.take();
        c.write(`F${tag} EXAMINE INBOX\r\nG${tag} UID FETCH ${uid} (BODY.PEEK[] BINARY.PEEK[])\r\n`);
        await reply(c, `G${tag}`);
        const text = c.text;
        // BINARY[] is the stored bytes (a literal8 when they hold NUL); BODY[] is a plain
        // literal (RFC 9051 §9 nstring) with NUL sent as 0x80 (see src/imap/commands/fetch-render.ts)
        const noNul = Buffer.from(raw.toString('latin1').replace(/\0/g, '\x80'), 'latin1');
        for (const [item, want, lit] of [['BODY[]', noNul, ''], ['BINARY[]', raw, '~']] as const) {
          const m = new RegExp(`${item.replace(/[[\]]/g, '\\$&')} (~?)\\{(\\d+)\\}\\r\\n`).exec(text);
          assert.ok(m, `${item} returned: ${text.slice(0, 300)}`);
          assert.equal(m[1], lit, `${tag}: ${item} literal kind`);
          const start = m.index + m[0].length;
          assert.ok(c.buf.subarray(start, start + Number(m[2])).equals(want), `${tag}: ${item} bytes`);
        }
        await f.t.ctx.store.storeFlags(f.account.id, f.inboxId, [Number(uid)], 'add', ['\\Deleted']);
        await f.t.ctx.store.expunge(f.account.id, f.inboxId, [Number(uid)]);
      }
      assertWellFormed(c.text);
    },
  },
  {
    name: 'NUL bytes in commands',
    async run(c) {
      c.write('A1 SELECT "IN\0BOX"\r\n');
      assertRefused(await reply(c, 'A1'), 'NUL in a quoted string');
      if (!c.closed) {
        c.write('A2 SELECT IN\0BOX\r\n');
        assertRefused(await reply(c, 'A2'), 'NUL in an atom');
      }
      if (!c.closed) {
        c.write('A3 CREATE {4+}\r\nx\0yz\r\n');
        assertRefused(await reply(c, 'A3'), 'NUL in a literal mailbox name');
      }
      assertWellFormed(c.text);
    },
  },
  {
    name: 'invalid UTF-8 mailbox names (rev1 and after ENABLE UTF8=ACCEPT)',
    async run(c, f) {
      const names = () => f.t.ctx.store.listMailboxes(f.account.id).then((l) => l.map((m) => m.name).sort());
      const before = await names();
      c.write(Buffer.concat([Buffer.from('A1 CREATE "bad'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"\r\n')]));
      assertRefused(await reply(c, 'A1'), 'invalid UTF-8 name (rev1)');
      c.write('A2 ENABLE UTF8=ACCEPT\r\n');
      await reply(c, 'A2');
      c.write(Buffer.concat([Buffer.from('A3 CREATE {5+}\r\nb'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from('\r\n')]));
      assertRefused(await reply(c, 'A3'), 'invalid UTF-8 name (UTF8=ACCEPT)');
      c.write(Buffer.concat([Buffer.from('A4 SELECT "'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"\r\n')])); // a UTF-8 encoded surrogate
      assertRefused(await reply(c, 'A4'), 'surrogate in a name');
      c.write('A5 LIST "" *\r\n');
      assert.match(await reply(c, 'A5'), /^OK/);
      assert.deepEqual(await names(), before, 'no mailbox created from invalid names');
      assertWellFormed(c.text);
    },
  },
  {
    name: 'invalid UTF-8 in SEARCH strings',
    async run(c) {
      c.write('A0 SELECT INBOX\r\n');
      assert.match(await reply(c, 'A0'), /^OK/);
      const bad = Buffer.from([0xff, 0xfe, 0xc3]);
      c.write(Buffer.concat([Buffer.from('A1 SEARCH SUBJECT "'), bad, Buffer.from('"\r\n')]));
      assert.match(await reply(c, 'A1'), /^(OK|NO|BAD)/);
      c.write(Buffer.concat([Buffer.from('A2 SEARCH CHARSET UTF-8 BODY {3+}\r\n'), bad, Buffer.from('\r\n')]));
      assert.match(await reply(c, 'A2'), /^(OK|NO|BAD)/);
      c.write(Buffer.concat([Buffer.from('A3 SEARCH CHARSET x-unknown-charset TEXT "'), bad, Buffer.from('"\r\n')]));
      assert.match(await reply(c, 'A3'), /^(NO \[BADCHARSET|BAD)/);
      c.write(Buffer.concat([Buffer.from('A4 SEARCH CHARSET ISO-2022-JP TEXT {3+}\r\n'), Buffer.from([0x1b, 0x24, 0xff]), Buffer.from('\r\n')]));
      assert.match(await reply(c, 'A4'), /^(OK|NO|BAD)/);
      assertWellFormed(c.text);
    },
  },
  {
    name: 'deeply nested parentheses in SEARCH and FETCH',
    async run(c) {
      c.write('A0 SELECT INBOX\r\n');
      assert.match(await reply(c, 'A0'), /^OK/);
      c.write(`A1 SEARCH ${'('.repeat(3000)}ALL${')'.repeat(3000)}\r\n`);
      assertRefused(await reply(c, 'A1'), 'SEARCH nested 3000 deep');
      if (!c.closed) {
        c.write(`A2 SEARCH ${'NOT '.repeat(3000)}ALL\r\n`);
        assert.match(await reply(c, 'A2'), /^(OK|NO|BAD)|^closed$/);
      }
      if (!c.closed) {
        c.write(`A3 SEARCH ${'OR '.repeat(2000)}${'ALL '.repeat(2001).trim()}\r\n`);
        assert.match(await reply(c, 'A3'), /^(OK|NO|BAD)|^closed$/);
      }
      if (!c.closed) {
        c.write(`A4 FETCH 1 ${'('.repeat(3000)}FLAGS${')'.repeat(3000)}\r\n`);
        assertRefused(await reply(c, 'A4'), 'FETCH nested 3000 deep');
      }
      if (!c.closed) {
        c.write(`A5 FETCH 1 (BODY[HEADER.FIELDS (${'('.repeat(500)}]\r\n`);
        assertRefused(await reply(c, 'A5'), 'unbalanced FETCH section');
      }
      assertWellFormed(c.text);
    },
  },
  {
    name: '5000 pipelined NOOPs in one write, all answered in order',
    async run(c) {
      let s = '';
      for (let k = 0; k < 5000; k++) s += `P${k} NOOP\r\n`;
      c.write(s);
      await c.expect((x) => x.includes('P4999 OK'), 'the last pipelined NOOP answered', 15000);
      const tags = [...c.text.matchAll(/^(P\d+) OK/gm)].map((m) => m[1]);
      assert.equal(tags.length, 5000);
      assert.deepEqual(tags.slice(0, 3), ['P0', 'P1', 'P2']);
      assert.equal(tags[4999], 'P4999');
    },
  },
  {
    name: '300 pipelined FETCH BODY[] without reading (back-pressure), then all read',
    async run(c, f) {
      let s = 'A0 EXAMINE INBOX\r\n';
      for (let k = 0; k < 300; k++) s += `F${k} UID FETCH ${f.seededUid} BODY.PEEK[]\r\n`;
      c.socket.pause();
      c.write(s);
      await new Promise((r) => setTimeout(r, 300));
      c.socket.resume();
      await c.expect((x) => x.includes('F299 OK'), 'all pipelined FETCHes answered', 15000);
      assert.equal([...c.text.matchAll(/^F\d+ OK/gm)].length, 300);
      assertWellFormed(c.text);
    },
  },
  {
    name: 'commands in the wrong state',
    login: false,
    async run(c) {
      for (const [tag, cmd] of [
        ['N1', 'SELECT INBOX'],
        ['N2', 'FETCH 1 FLAGS'],
        ['N3', 'APPEND INBOX {3+}\r\nabc'],
        ['N4', 'IDLE'],
        ['N5', 'UID STORE 1 +FLAGS (\\Deleted)'],
        ['N6', 'EXPUNGE'],
      ]) {
        c.write(`${tag} ${cmd}\r\n`);
        assertRefused(await reply(c, tag), `${cmd} before login`);
        if (c.closed) return;
      }
      c.write(`L LOGIN alice@example.test "correct horse battery"\r\n`);
      assert.match(await reply(c, 'L'), /^OK/);
      for (const [tag, cmd] of [
        ['A1', 'FETCH 1 FLAGS'],
        ['A2', 'STORE 1 +FLAGS (\\Seen)'],
        ['A3', 'CLOSE'],
        ['A4', 'EXPUNGE'],
        ['A5', 'LOGIN alice@example.test x'],
        ['A6', 'AUTHENTICATE PLAIN'],
        ['A7', 'STARTTLS'],
        ['A8', 'SEARCH ALL'],
      ]) {
        c.write(`${tag} ${cmd}\r\n`);
        assertRefused(await reply(c, tag), `${cmd} when authenticated, nothing selected`);
        if (c.closed) return;
      }
      c.write('A9 EXAMINE INBOX\r\n');
      assert.match(await reply(c, 'A9'), /^OK/);
      c.write('A10 STORE 1 +FLAGS (\\Deleted)\r\nA11 EXPUNGE\r\n');
      assertRefused(await reply(c, 'A10'), 'STORE in a read-only (EXAMINEd) mailbox');
      await reply(c, 'A11');
      assertWellFormed(c.text);
    },
  },
  {
    name: 'AUTHENTICATE with garbage base64',
    login: false,
    async run(c) {
      c.write('G1 AUTHENTICATE PLAIN !!!not*base64###\r\n');
      assertRefused(await reply(c, 'G1'), 'garbage SASL-IR');
      if (c.closed) return;
      c.write('G2 AUTHENTICATE PLAIN\r\n');
      await c.expect((x) => /^\+/m.test(x) || c.closed, 'continuation');
      c.write('%%%%====\r\n');
      assertRefused(await reply(c, 'G2'), 'garbage continuation');
      if (c.closed) return;
      c.write('G3 AUTHENTICATE PLAIN\r\n');
      await c.expect((x) => (x.match(/^\+/gm) ?? []).length >= 2 || c.closed, 'continuation');
      c.write('*\r\n');
      assertRefused(await reply(c, 'G3'), 'cancelled exchange');
      if (c.closed) return;
      c.write(`G4 AUTHENTICATE PLAIN ${Buffer.from('\0\0\0\0\0').toString('base64')}\r\n`);
      assertRefused(await reply(c, 'G4'), 'NULs only');
      if (c.closed) return;
      c.write(`G5 AUTHENTICATE LOGIN ${'QUFB'.repeat(20000)}\r\n`);
      assertRefused(await reply(c, 'G5'), '80 KB initial response');
      if (c.closed) return;
      c.write('G6 AUTHENTICATE X-NOPE\r\n');
      assertRefused(await reply(c, 'G6'), 'unknown mechanism');
      if (c.closed) return;
      c.write(`G7 AUTHENTICATE PLAIN =\r\n`);
      assertRefused(await reply(c, 'G7'), 'empty initial response');
      assertWellFormed(c.text);
    },
  },
  {
    name: 'odd sequence sets',
    async run(c) {
      c.write('A0 SELECT INBOX\r\n');
      assert.match(await reply(c, 'A0'), /^OK/);
      const bad = ['1:4294967296', '0', '0:*', '4294967296', '1,,2', '1:', ':', '-1', '1:*:2', '99999999999999999999999', '1:2a'];
      let n = 0;
      for (const set of bad) {
        const tag = `B${n++}`;
        c.write(`${tag} FETCH ${set} FLAGS\r\n`);
        assertRefused(await reply(c, tag), `FETCH ${set}`);
        if (c.closed) return;
        const utag = `U${n}`;
        c.write(`${utag} UID FETCH ${set} FLAGS\r\n`);
        assertRefused(await reply(c, utag), `UID FETCH ${set}`);
        if (c.closed) return;
      }
      for (const set of ['*:*', '*', '4294967295', '1:4294967295', '2:1', '$']) {
        const tag = `G${n++}`;
        c.write(`${tag} UID FETCH ${set} FLAGS\r\n`);
        assert.match(await reply(c, tag), /^(OK|NO|BAD)/, `UID FETCH ${set} gets a reply`);
      }
      c.write('G99 FETCH *:* FLAGS\r\n');
      assert.match(await reply(c, 'G99'), /^OK/, 'FETCH *:* is valid');
      c.write('S1 UID STORE 1:4294967296 +FLAGS (\\Seen)\r\nS2 UID COPY 0 INBOX\r\nS3 UID EXPUNGE 0:1\r\n');
      assertRefused(await reply(c, 'S1'), 'UID STORE out of range');
      assertRefused(await reply(c, 'S2'), 'UID COPY 0');
      assertRefused(await reply(c, 'S3'), 'UID EXPUNGE 0:1');
      assertWellFormed(c.text);
    },
  },
  {
    name: 'odd FETCH sections and partials',
    async run(c) {
      c.write('A0 SELECT INBOX\r\n');
      assert.match(await reply(c, 'A0'), /^OK/);
      const items = [
        'BODY[0]',
        'BODY[1.0]',
        'BODY[99999999999999999999]',
        `BODY[${Array.from({ length: 500 }, () => '1').join('.')}]`,
        'BODY[]<0.0>',
        'BODY[]<99999999999999999999.1>',
        'BODY[]<4294967295.4294967295>',
        'BODY[]<1.-1>',
        'BINARY[1]<5.10>',
        'BINARY[2]',
        'BINARY.SIZE[1.2.3]',
        'BODY[HEADER.FIELDS ()]',
        `BODY[HEADER.FIELDS (${Array.from({ length: 3000 }, (_, i) => `X-H${i}`).join(' ')})]`,
        'BODY[MIME]',
        'BODY[TEXT.MIME]',
        'BODY[1.MIME]',
        'BODY[HEADER.FIELDS.NOT (SUBJECT FROM TO)]',
        'BODY[1.2.HEADER]',
        'RFC822.TEXT',
      ];
      let n = 0;
      for (const item of items) {
        const tag = `F${n++}`;
        c.write(`${tag} FETCH 1 (${item})\r\n`);
        assert.match(await reply(c, tag), /^(OK|NO|BAD)|^closed$/, item.slice(0, 40));
        if (c.closed) break;
      }
      assertWellFormed(c.text);
    },
  },
  {
    name: 'flag, name and ID floods: a thousand keywords, very deep and very long mailbox names, huge ID and ENABLE lists',
    async run(c, f) {
      c.write('A0 SELECT INBOX\r\n');
      assert.match(await reply(c, 'A0'), /^OK/);
      const kws = Array.from({ length: 1000 }, (_, i) => `kw${i}`).join(' '); // within limits.line_length
      c.write(`A1 STORE 1 +FLAGS (${kws})\r\n`);
      assert.match(await reply(c, 'A1', 15_000), /^(OK|NO|BAD)|^closed$/);
      if (c.closed) return;
      c.write(`A2 STORE 1 +FLAGS (${'k'.repeat(5000)})\r\nA3 STORE 1 +FLAGS (\\Recent)\r\nA4 STORE 1 +FLAGS (\\Bogus)\r\n`);
      for (const tag of ['A2', 'A3', 'A4']) assert.match(await reply(c, tag), /^(OK|NO|BAD)|^closed$/);
      if (c.closed) return;
      c.write(`B1 CREATE "${Array.from({ length: 1000 }, () => 'a').join('/')}"\r\n`);
      assert.match(await reply(c, 'B1', 15_000), /^(OK|NO|BAD)|^closed$/);
      c.write(`B2 CREATE "${'n'.repeat(6000)}"\r\n`);
      assert.match(await reply(c, 'B2'), /^(OK|NO|BAD)|^closed$/);
      c.write(`B3 RENAME INBOX "${'r'.repeat(6000)}"\r\n`);
      assert.match(await reply(c, 'B3'), /^(OK|NO|BAD)|^closed$/);
      c.write('B4 CREATE "x//y"\r\nB5 CREATE "/lead"\r\nB6 CREATE "trail/"\r\nB7 CREATE ""\r\nB8 DELETE INBOX\r\n');
      for (const tag of ['B4', 'B5', 'B6', 'B7', 'B8']) assert.match(await reply(c, tag), /^(OK|NO|BAD)|^closed$/);
      assert.match(taggedReply(c.text, 'B7') ?? 'closed', /^(NO|BAD)|^closed$/, 'CREATE "" refused');
      assert.match(taggedReply(c.text, 'B8') ?? 'closed', /^(NO|BAD)|^closed$/, 'DELETE INBOX refused');
      c.write(`C1 ID (${Array.from({ length: 500 }, (_, i) => `"k${i}" "v${i}"`).join(' ')})\r\n`);
      assert.match(await reply(c, 'C1'), /^(OK|NO|BAD)|^closed$/);
      c.write(`C2 ENABLE ${Array.from({ length: 800 }, (_, i) => `X-EXT${i}`).join(' ')}\r\n`);
      assert.match(await reply(c, 'C2'), /^(OK|NO|BAD)|^closed$/);
      // the session (or a new one) can still list and select
      const d = c.closed ? await f.imapLogin() : c;
      d.write('D1 LIST "" "*"\r\nD2 SELECT INBOX\r\n');
      assert.match(await reply(d, 'D2', 15_000), /^OK/);
      assertWellFormed(c.text);
      assertWellFormed(d.text);
      if (d !== c) d.destroy();
      // INBOX must still exist under its name (RENAME INBOX moves the messages, never the seeded one's bytes)
      const names = (await f.t.ctx.store.listMailboxes(f.account.id)).map((m) => m.name);
      assert.ok(names.includes('INBOX'));
    },
  },
  {
    name: 'IDLE, DONE and the next commands pipelined in one write; AUTHENTICATE answered with a literal',
    async run(c) {
      c.write('A0 SELECT INBOX\r\nI1 IDLE\r\ndone\r\nX1 NOOP\r\nI2 IDLE\r\nDONE\r\nX2 UID FETCH 1 FLAGS\r\n');
      for (const tag of ['I1', 'X1', 'I2', 'X2']) assert.match(await reply(c, tag), /^OK/, tag);
      assertWellFormed(c.text);
      const d = await RawClientFor(c);
      d.write('G1 AUTHENTICATE PLAIN\r\n');
      await d.expect((x) => /^\+/m.test(x), 'continuation');
      d.write('{5}\r\n');
      assert.match(await reply(d, 'G1'), /^(NO|BAD)|^closed$/);
      d.destroy();
    },
  },
  {
    name: 'IDLE flooded with garbage instead of DONE',
    async run(c) {
      c.write('A0 SELECT INBOX\r\nI1 IDLE\r\n');
      await c.expect((x) => /^\+/m.test(x), 'IDLE continuation');
      c.write('garbage\r\n'.repeat(50) + 'x'.repeat(LIMITS.line_length + 10) + '\r\n');
      const r = await reply(c, 'I1');
      assert.match(r, /^(OK|NO|BAD)|^closed$/);
      assertWellFormed(c.text);
    },
  },
];

describeOnBackends((backend) => `IMAP hostile input (${backend} store)`, (fixture) => {
  for (const k of cases) {
    test(k.name, { timeout: 30_000 }, async () => {
      const f = fixture();
      const c = k.login === false ? await f.imapConnect() : await f.imapLogin();
      try {
        await k.run(c, f);
      } finally {
        c.destroy();
      }
      await f.assertHealthy();
    });
  }
});
