/**
 * Import from and export to files: the repository's sample mbox through the CLI (byte-exact
 * after LF → CRLF, dates from the From_ lines, idempotent on a second run, verify clean);
 * Dovecot and Courier Maildir conventions (flag letters, dovecot-keywords and
 * courierimapkeywords/, dovecot-uidlist and courierimapuiddb UIDs, Maildir++ and modified
 * UTF-7 names, subscriptions); export → import round trips in both formats keep bytes,
 * flags, keywords, internal dates, UIDs and UIDVALIDITY; memory stays bounded by batches.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeCli } from '../cli/harness.js';
import { MboxSplitter, splitMbox } from '../../../src/mime/mbox.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import type { Store } from '../../../src/store/types.js';
import { toCrlf, toLf } from '../../../src/transfer/eol.js';
import { maildirFolders } from '../../../src/transfer/maildir.js';
import { mboxSources } from '../../../src/transfer/files.js';
import { importFolder } from '../../../src/transfer/sink.js';
import { fromLineDate } from '../../../src/transfer/mbox.js';

const SAMPLE = join(process.cwd(), '..', 'shared', 'corpus', 'sample.mbox');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'letterbox-transfer-'));
}

async function account(store: Store, address: string) {
  const domain = address.slice(address.indexOf('@') + 1);
  if (!(await store.getDomain(domain))) await store.addDomain(domain);
  return store.createAccount(address, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA');
}

async function messages(store: Store, accountId: number, name: string) {
  const mb = (await store.getMailbox(accountId, name))!;
  const metas = await store.getMessages(accountId, mb.id, [[1, Infinity]]);
  return Promise.all(metas.map(async (m) => ({ ...m, raw: await store.getRaw(accountId, mb.id, m.uid) })));
}

describe('line endings', () => {
  it('toCrlf(toLf(m)) gives back every CRLF message; mixed and bare-CR messages are kept as they are', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', ' ', '\r\n', 'é', '.', 'From ') }), { maxLength: 30 }), (parts) => {
        const m = Buffer.from(parts.join(''));
        assert.deepEqual(toCrlf(toLf(m)), m);
      }),
      { seed: 9, numRuns: 300 },
    );
    for (const odd of ['a\nb\r\nc', 'a\r\r\nb', 'x\ry\r\n']) assert.equal(toLf(Buffer.from(odd)).toString(), odd);
    assert.equal(toCrlf(Buffer.from('a\nb\n')).toString(), 'a\r\nb\r\n');
  });
});

describe('mbox', () => {
  it('MboxSplitter in arbitrary chunks gives what splitMbox gives for the whole file', () => {
    const sample = readFileSync(SAMPLE).subarray(0, 400_000);
    const whole = splitMbox(sample);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 200 }), (cuts) => {
        const s = new MboxSplitter();
        const got: Buffer[] = [];
        let pos = 0;
        for (const c of cuts) {
          if (pos >= sample.length) break;
          for (const m of s.push(sample.subarray(pos, pos + c))) got.push(m.raw!);
          pos += c;
        }
        for (const m of s.push(sample.subarray(pos))) got.push(m.raw!);
        for (const m of s.end()) got.push(m.raw!);
        assert.equal(got.length, whole.length);
        got.forEach((m, i) => assert.ok(m.equals(whole[i]!), `message ${i}`));
      }),
      { seed: 4, numRuns: 40 },
    );
    // a message above the limit is reported without its bytes
    const s = new MboxSplitter(100);
    const out = [...s.push(Buffer.from(`From a Mon Jan  1 00:00:00 2024\nSubject: big\n\n${'x'.repeat(500)}\n\nFrom b Mon Jan  1 00:00:00 2024\nSubject: small\n\nok\n`)), ...s.end()];
    assert.deepEqual(out.map((m) => [m.raw === null, m.size > 100]), [[true, true], [false, false]]);
  });

  it('From_ line dates: asctime as UTC, with an optional zone', () => {
    assert.equal(fromLineDate('From MAILER-DAEMON Mon Jan  1 08:00:00 2024')?.toISOString(), '2024-01-01T08:00:00.000Z');
    assert.equal(fromLineDate('From a@b Tue Feb 13 23:05:09 +0100 2024')?.toISOString(), '2024-02-13T22:05:09.000Z');
    assert.equal(fromLineDate('From a@b garbage'), undefined);
  });

  it('the sample mbox through `letterbox import mbox`: 400 messages byte-exact, dated, idempotent, verified', async () => {
    const h = await makeCli('[store]\nbackend = "memory"\n[log]\nlevel = "silent"\n');
    try {
      const a = await account(h.store, 'alice@example.test');
      let r = await h.cli(['import', 'mbox', 'alice@example.test', SAMPLE]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^sample: 400 imported$/m);
      assert.match(r.stderr, /import \[.*\] 100% \| 400\/400 messages/);
      const got = await messages(h.store, a.id, 'sample');
      const src = readFileSync(SAMPLE);
      const want = splitMbox(src).map(toCrlf);
      const fromLines = src.toString('latin1').split('\n').filter((l) => l.startsWith('From '));
      assert.equal(got.length, 400);
      got.forEach((m, i) => {
        assert.ok(m.raw.equals(want[i]!), `message ${i + 1} byte-exact`);
        assert.equal(m.internalDate.getTime(), fromLineDate(fromLines[i]!)!.getTime());
        assert.deepEqual(m.flags, []);
      });
      // again: nothing new; into another mailbox with --mailbox
      r = await h.cli(['import', 'mbox', 'alice@example.test', SAMPLE]);
      assert.match(r.stdout, /^sample: 0 imported, 400 already there$/m);
      r = await h.cli(['import', 'mbox', 'alice@example.test', SAMPLE, '--mailbox', 'Old/Mail']);
      assert.match(r.stdout, /^sample → Old\/Mail: 400 imported$/m);
      r = await h.cli(['verify']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /is sound: 800 messages/);
      // operator errors
      r = await h.cli(['import', 'mbox', 'nobody@example.test', SAMPLE]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /unknown user nobody@example\.test/);
      r = await h.cli(['import', 'mbox', 'alice@example.test', join(h.dir, 'letterbox.toml')]);
      assert.equal(r.code, 1);
      assert.match(r.stdout + r.stderr, /not an mbox file/);
    } finally {
      await h.close();
    }
  });

  it('status headers become flags, X-UID/X-IMAPbase UIDs; UW-IMAP pseudo message skipped; headers gone from the stored bytes', async () => {
    const dir = tmp();
    try {
      const file = join(dir, 'Work.mbox');
      writeFileSync(
        file,
        'From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nX-IMAP: 1700000000 0000000020\nSubject: DON\'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n\nx\n\n' +
          'From a@b Mon Jan  1 10:00:00 2024\nSubject: one\nStatus: RO\nX-Status: AF\nX-Keywords: $Label1 work\nX-UID: 5\n\n>From the start\nbody\n\n' +
          'From a@b Mon Jan  1 11:00:00 2024\nSubject: two\nX-UID: 9\nStatus: O\n\nbody2\n',
      );
      const store = createMemoryStore();
      const a = await account(store, 'w@example.test');
      const { folders } = await mboxSources([file], { maxMessageBytes: 1 << 20 });
      assert.equal(folders[0]!.name, 'Work');
      assert.equal(folders[0]!.uidValidity, 1700000000);
      const rep = await importFolder(store, a, folders[0]!);
      assert.equal(rep.imported, 2);
      assert.ok(rep.uidsKept);
      const got = await messages(store, a.id, 'Work');
      assert.deepEqual(got.map((m) => [m.uid, m.flags]), [[5, ['\\Seen', '\\Answered', '\\Flagged', '$Label1', 'work']], [9, []]]);
      assert.equal(got[0]!.raw.toString(), 'Subject: one\r\n\r\nFrom the start\r\nbody\r\n');
      assert.equal((await store.getMailbox(a.id, 'Work'))!.uidValidity, 1700000000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Maildir', () => {
  it("Dovecot's conventions: Maildir++, letters, dovecot-keywords, dovecot-uidlist, modified UTF-7, subscriptions, mtime", async () => {
    const root = tmp();
    try {
      const mk = (dir: string) => ['cur', 'new', 'tmp'].forEach((s) => mkdirSync(join(dir, s), { recursive: true }));
      mk(root);
      const put = (dir: string, sub: string, file: string, body: string, mtime: number) => {
        writeFileSync(join(dir, sub, file), body);
        utimesSync(join(dir, sub, file), mtime, mtime);
      };
      put(root, 'cur', '1700000001.M1P1.host,S=20:2,FRSac', 'Subject: a\n\nalpha\n', 1700000001);
      put(root, 'cur', '1700000002.M2P1.host,S=20:2,T', 'Subject: b\n\nbeta\n', 1700000002);
      put(root, 'new', '1700000003.M3P1.host,S=20', 'Subject: c\n\ngamma\n', 1700000003);
      writeFileSync(join(root, 'dovecot-keywords'), '0 $Label1\n1 NonJunk\n2 Work\n');
      writeFileSync(join(root, 'dovecot-uidlist'), '3 V1234 N50 Gabcdef\n7 :1700000001.M1P1.host,S=20\n42 W21 :1700000002.M2P1.host,S=20\n');
      const sub = join(root, '.Projekte.&ANw-bersicht');
      mk(sub);
      put(sub, 'cur', '1700000010.M9P1.host:2,P', 'Subject: d\n\ndelta\n', 1700000010);
      const sent = join(root, '.Sent Messages');
      mk(sent);
      put(sent, 'cur', '1700000011.M9P1.host:2,S', 'Subject: e\n\nepsilon\n', 1700000011);
      writeFileSync(join(root, 'subscriptions'), 'Projekte.&ANw-bersicht\n');
      const folders = maildirFolders(root, { maxMessageBytes: 1 << 20 });
      assert.deepEqual(folders.map((f) => f.name).sort(), ['INBOX', 'Projekte/Übersicht', 'Sent Messages']);

      const store = createMemoryStore();
      const a = await account(store, 'd@example.test');
      const reports = [];
      for (const f of folders) reports.push(await importFolder(store, a, f));
      const inbox = await messages(store, a.id, 'INBOX');
      assert.deepEqual(
        inbox.map((m) => [m.uid, m.flags, m.internalDate.getTime() / 1000, m.raw.toString()]),
        [
          [7, ['\\Flagged', '\\Answered', '\\Seen', '$Label1', 'Work'], 1700000001, 'Subject: a\r\n\r\nalpha\r\n'],
          [42, ['\\Deleted'], 1700000002, 'Subject: b\r\n\r\nbeta\r\n'],
          [43, [], 1700000003, 'Subject: c\r\n\r\ngamma\r\n'],
        ],
      );
      assert.equal((await store.getMailbox(a.id, 'INBOX'))!.uidValidity, 1234);
      assert.deepEqual((await messages(store, a.id, 'Projekte/Übersicht')).map((m) => m.flags), [['$Forwarded']]);
      assert.deepEqual(await store.listSubscriptions(a.id).then((s) => s.includes('Projekte/Übersicht')), true);
      // "Sent Messages" lands in the account's \Sent mailbox
      assert.equal(reports.find((r) => r.source === 'Sent Messages')!.target, 'Sent');
      assert.equal((await messages(store, a.id, 'Sent')).length, 1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("Courier's conventions: courierimapkeywords/ (:list and later per-message files) and courierimapuiddb", async () => {
    const root = tmp();
    try {
      for (const s of ['cur', 'new', 'tmp', 'courierimapkeywords']) mkdirSync(join(root, s), { recursive: true });
      writeFileSync(join(root, 'cur', '100.a.host:2,S'), 'Subject: 1\n\none\n');
      writeFileSync(join(root, 'cur', '101.b.host:2,'), 'Subject: 2\n\ntwo\n');
      writeFileSync(join(root, 'courierimapkeywords', ':list'), 'Important\nLater\n\n100.a.host:0 1\n101.b.host:1\n');
      writeFileSync(join(root, 'courierimapkeywords', '.3.101.b.host'), 'Done\n');
      writeFileSync(join(root, 'courierimapuiddb'), '1 777 10\n3 100.a.host\n4 101.b.host\n');
      const store = createMemoryStore();
      const a = await account(store, 'c@example.test');
      const [inbox] = maildirFolders(root, { maxMessageBytes: 1 << 20 });
      const rep = await importFolder(store, a, inbox!);
      assert.ok(rep.uidsKept);
      assert.deepEqual((await messages(store, a.id, 'INBOX')).map((m) => [m.uid, m.flags]), [[3, ['\\Seen', 'Important', 'Later']], [4, ['Done']]]);
      assert.equal((await store.getMailbox(a.id, 'INBOX'))!.uidValidity, 777);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('export → import round trips', () => {
  for (const format of ['mbox', 'maildir'] as const) {
    it(`${format}: bytes, flags, keywords, internal dates, UIDs and UIDVALIDITY come back; verify passes`, async () => {
      const h = await makeCli('[store]\nbackend = "memory"\n[log]\nlevel = "silent"\n');
      const out = join(h.dir, 'out');
      try {
        const store = h.store;
        const a = await account(store, 'src@example.test');
        const b = await account(store, 'dst@example.test');
        await store.createMailbox(a.id, 'Work/2026');
        const inbox = (await store.getMailbox(a.id, 'INBOX'))!.id;
        const work = (await store.getMailbox(a.id, 'Work/2026'))!.id;
        const raws = [
          Buffer.from('From: x@y\r\nSubject: crlf\r\n\r\nFrom the line start\r\n>From quoted\r\n'),
          Buffer.from('Subject: bare lf\nX: y\n\nbody\n'),
          Buffer.from('Subject: mixed\r\n\r\na\nb\r\n'),
          Buffer.from('Subject: no final newline\r\n\r\nend'),
        ];
        for (const [i, raw] of raws.entries())
          await store.append(a.id, inbox, { raw, flags: i === 0 ? ['\\Seen', '$Label1', 'Work'] : i === 1 ? ['\\Answered', '\\Draft'] : [], internalDate: new Date(Date.UTC(2025, 5, i + 1, 12, 30, 15)) });
        await store.storeFlags(a.id, inbox, [2], 'add', ['\\Deleted']);
        await store.expunge(a.id, inbox);
        await store.append(a.id, work, { raw: raws[0]!, flags: ['\\Flagged'] });
        let r = await h.cli(['export', 'src@example.test', out, '--format', format]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /exported 4 messages .* from 6 mailboxes|exported 4 messages .* from 7 mailboxes|exported 4 messages .* from 8 mailboxes/);
        r = await h.cli(['export', 'src@example.test', out, '--format', format]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /is not empty/);
        r = await h.cli(['import', format, 'dst@example.test', out]);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const want = await messages(store, a.id, 'INBOX');
        const got = await messages(store, b.id, 'INBOX');
        const exactOnes = format === 'mbox' ? [0, 1] : [0, 1, 2]; // mbox: a message without a final newline gains one
        assert.equal(got.length, 3);
        got.forEach((m, i) => {
          assert.equal(m.uid, want[i]!.uid);
          assert.deepEqual(m.flags, want[i]!.flags);
          assert.equal(m.internalDate.getTime(), want[i]!.internalDate.getTime());
          if (exactOnes.includes(i)) assert.ok(m.raw.equals(want[i]!.raw), `${format} message ${i} byte-exact: ${JSON.stringify(m.raw.toString())}`);
        });
        assert.equal((await store.getMailbox(b.id, 'INBOX'))!.uidValidity, (await store.getMailbox(a.id, 'INBOX'))!.uidValidity);
        const w = await messages(store, b.id, 'Work/2026');
        assert.deepEqual(w.map((m) => [m.uid, m.flags, m.raw.equals(raws[0]!)]), [[1, ['\\Flagged'], true]]);
        r = await h.cli(['verify']);
        assert.equal(r.code, 0, r.stdout + r.stderr);
      } finally {
        await h.close();
      }
    });
  }

  it('the importer commits in bounded batches', async () => {
    const store = createMemoryStore();
    const a = await account(store, 'b@example.test');
    let largest = 0;
    const spy = new Proxy(store, {
      get: (t, p, rcv) =>
        p === 'importMessages'
          ? async (...args: Parameters<Store['importMessages']>) => {
              largest = Math.max(largest, args[2].length);
              return t.importMessages(...args);
            }
          : Reflect.get(t, p, rcv),
    });
    const { folders } = await mboxSources([SAMPLE], { maxMessageBytes: 1 << 20 });
    const rep = await importFolder(spy, a, folders[0]!, { batchMessages: 25 });
    assert.equal(rep.imported, 400);
    assert.equal(largest, 25);
    assert.ok(readdirSync(tmpdir()).length >= 0);
  });
});
