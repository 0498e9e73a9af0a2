/**
 * The store contract suite (src/store/types.ts), run against every backend by
 * memory.test.ts and sqlite.test.ts. Each test opens a fresh store from the factory.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { indexMessage } from '../../../src/mime/index.js';
import { StoreError, type Change, type Store } from '../../../src/store/types.js';
import type { Summarizer } from '../../../src/store/summary-types.js';
import { inboxId, rawMessage, seedAccount } from './fixtures.js';
import { seededRandom } from '../../helpers/random.js';
import { orderRows } from '../../../src/store/sort-order.js';
import type { SortCriterion, SortKeyName, ThreadRow } from '../../../src/store/sort-types.js';

/** `summarizer`: for the summaries case (src/store/summary-types.ts); the rest open without one */
export type StoreFactory = (opts?: { summarizer?: Summarizer }) => Promise<{ store: Store; cleanup: () => Promise<void> }>;

async function rejectsCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected StoreError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

export function storeContract(name: string, factory: StoreFactory): void {
  async function withStore(fn: (store: Store) => Promise<void>, opts?: { summarizer?: Summarizer }): Promise<void> {
    const { store, cleanup } = await factory(opts);
    try {
      await fn(store);
    } finally {
      await cleanup();
    }
  }

  describe(`store contract: ${name}`, () => {
    it('domains, accounts and default mailboxes', () =>
      withStore(async (store) => {
        await rejectsCode(store.createAccount('a@nowhere.test', 'h'), 'NONEXISTENT');
        await store.addDomain('Example.TEST');
        await rejectsCode(store.addDomain('example.test'), 'ALREADYEXISTS');
        const a = await store.createAccount('Bob@Example.test', 'hash');
        assert.equal(a.address, 'bob@example.test');
        await rejectsCode(store.createAccount('bob@example.test', 'h'), 'ALREADYEXISTS');
        assert.equal((await store.getAccount('BOB@example.test'))?.id, a.id);
        assert.equal((await store.getAccountById(a.id))?.address, 'bob@example.test');
        const boxes = await store.listMailboxes(a.id);
        assert.deepEqual(boxes.map((b) => b.name).sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
        assert.ok(boxes.every((b) => b.subscribed && b.uidValidity > 0 && b.uidValidity <= 0xffffffff && b.uidNext === 1));
        assert.equal((await store.getSpecialMailbox(a.id, '\\Trash'))?.name, 'Trash');
        assert.equal((await store.getMailbox(a.id, 'inbox'))?.name, 'INBOX');
        await rejectsCode(store.removeDomain('example.test'), 'NOPERM');
        const u = await store.updateAccount(a.id, { quotaBytes: 1000, pop3Policy: 'hide', passwordHash: 'h2' });
        assert.equal(u.quotaBytes, 1000);
        assert.equal((await store.getAccountById(a.id))?.pop3Policy, 'hide');
        assert.equal((await store.listAccounts('example.test')).length, 1);
        await store.deleteAccount(a.id);
        assert.equal(await store.getAccount('bob@example.test'), null);
        await store.removeDomain('example.test');
        assert.deepEqual(await store.listDomains(), []);
      }));

    it('mailbox names: validation, create, delete, rename with children', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        for (const bad of ['', '/x', 'x/', 'a//b', 'a\u0001b']) await rejectsCode(store.createMailbox(a.id, bad), 'INVALID');
        await rejectsCode(store.createMailbox(a.id, 'Inbox'), 'ALREADYEXISTS');
        const ch = await store.createMailbox(a.id, 'Work/Projects/X');
        assert.deepEqual(ch.map((c) => c.kind === 'mailbox-created' && c.name), ['Work', 'Work/Projects', 'Work/Projects/X']);
        await rejectsCode(store.createMailbox(a.id, 'Work'), 'ALREADYEXISTS');
        await rejectsCode(store.deleteMailbox(a.id, 'inbox'), 'NOPERM');
        await rejectsCode(store.deleteMailbox(a.id, 'Nope'), 'NONEXISTENT');
        const work = (await store.getMailbox(a.id, 'Work'))!;
        await store.append(a.id, work.id, { raw: rawMessage() });
        await store.renameMailbox(a.id, 'Work', 'Job');
        const names = (await store.listMailboxes(a.id)).map((b) => b.name);
        assert.ok(names.includes('Job') && names.includes('Job/Projects') && names.includes('Job/Projects/X'));
        assert.ok(!names.some((n) => n.startsWith('Work')));
        const job = (await store.getMailbox(a.id, 'Job'))!;
        assert.equal(job.id, work.id);
        assert.equal(job.uidValidity, work.uidValidity);
        assert.equal((await store.mailboxStatus(a.id, job.id)).messages, 1);
        await rejectsCode(store.renameMailbox(a.id, 'Job', 'Sent'), 'ALREADYEXISTS');
        await rejectsCode(store.renameMailbox(a.id, 'Nope', 'Other'), 'NONEXISTENT');
        // delete with children: the children stay
        await store.deleteMailbox(a.id, 'Job');
        const after = (await store.listMailboxes(a.id)).map((b) => b.name);
        assert.ok(!after.includes('Job') && after.includes('Job/Projects'));
        // re-create gets a new UIDVALIDITY
        await store.createMailbox(a.id, 'Job');
        const again = (await store.getMailbox(a.id, 'Job'))!;
        assert.notEqual(again.uidValidity, work.uidValidity);
        assert.notEqual(again.id, work.id);
        assert.equal((await store.mailboxStatus(a.id, again.id)).messages, 0);
        // subscriptions by name
        await store.setSubscribed(a.id, 'Ghost', true);
        assert.ok((await store.listSubscriptions(a.id)).includes('Ghost'));
        await store.setSubscribed(a.id, 'Ghost', false);
        assert.ok(!(await store.listSubscriptions(a.id)).includes('Ghost'));
      }));

    it('getMailbox and mailboxStatus: subscription, \\Recent, first unseen; a missing account, mailbox or owner', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const b = await seedAccount(store, 'carol@example.test');
        await store.createMailbox(a.id, 'Work');
        await store.setSubscribed(a.id, 'Work', true);
        const work = (await store.getMailbox(a.id, 'Work'))!;
        assert.equal(work.subscribed, true);
        assert.equal((await store.mailboxStatus(a.id, work.id)).subscribed, true);
        await store.setSubscribed(a.id, 'Work', false);
        // another account's subscription of the same name is not this one's
        await store.createMailbox(b.id, 'Work');
        await store.setSubscribed(b.id, 'Work', true);
        assert.equal((await store.getMailbox(a.id, 'Work'))!.subscribed, false);
        assert.equal((await store.mailboxStatus(a.id, work.id)).subscribed, false);
        assert.equal((await store.getMailbox(b.id, 'Work'))!.subscribed, true);
        assert.equal(await store.getMailbox(a.id, 'Nowhere'), null);
        await rejectsCode(store.getMailbox(a.id + b.id + 1000, 'INBOX'), 'NONEXISTENT');
        await rejectsCode(store.mailboxStatus(b.id, work.id), 'NONEXISTENT');
        for (let i = 0; i < 3; i++) await store.append(a.id, work.id, { raw: rawMessage(), flags: i === 0 ? ['\\Seen'] : [] });
        const st = await store.mailboxStatus(a.id, work.id);
        assert.deepEqual([st.messages, st.unseen, st.recent, st.firstUnseenUid, st.name, st.uidNext], [3, 2, 3, 2, 'Work', 4]);
        assert.equal((await store.mailboxStatus(a.id, work.id, 3)).recent, 1);
        await store.claimRecent(a.id, work.id);
        assert.equal((await store.mailboxStatus(a.id, work.id)).recent, 0);
        await store.storeFlags(a.id, work.id, [[2, 3]], 'add', ['\\Seen']);
        assert.equal((await store.mailboxStatus(a.id, work.id)).firstUnseenUid, null);
      }));

    it('RENAME INBOX moves messages to a new mailbox and leaves INBOX empty', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        const r1 = rawMessage({ subject: 'one' });
        await store.append(a.id, inbox, { raw: r1, flags: ['\\Seen'] });
        await store.append(a.id, inbox, { raw: rawMessage({ subject: 'two' }) });
        await store.renameMailbox(a.id, 'INBOX', 'Old');
        const old = (await store.getMailbox(a.id, 'Old'))!;
        assert.equal((await store.mailboxStatus(a.id, old.id)).messages, 2);
        const st = await store.mailboxStatus(a.id, inbox);
        assert.equal(st.messages, 0);
        assert.equal(st.uidNext, 3);
        const msgs = await store.getMessages(a.id, old.id, [[1, Infinity]]);
        assert.deepEqual(msgs[0]!.flags, ['\\Seen']);
        assert.ok((await store.getRaw(a.id, old.id, msgs[0]!.uid)).equals(r1));
        // INBOX may also be renamed to one of its own children
        await store.append(a.id, inbox, { raw: r1 });
        await store.renameMailbox(a.id, 'inbox', 'INBOX/Saved');
        const saved = (await store.getMailbox(a.id, 'INBOX/Saved'))!;
        assert.equal((await store.mailboxStatus(a.id, saved.id)).messages, 1);
        assert.equal((await store.mailboxStatus(a.id, inbox)).messages, 0);
      }));

    it('append: UIDs and MODSEQs strictly ascend, raw byte-exact, snapshot', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        const before = (await store.getMailbox(a.id, 'INBOX'))!;
        const raw = Buffer.concat([rawMessage({ subject: 'bin' }), Buffer.from([0xff, 0x00, 0x0a, 0x0d])]);
        const r1 = await store.append(a.id, inbox, { raw, flags: ['\\seen', 'Custom', '\\Recent', 'custom'], internalDate: new Date('2020-02-03T04:05:06Z') });
        const r2 = await store.append(a.id, inbox, { raw: rawMessage() });
        assert.equal(r1.uid, 1);
        assert.equal(r2.uid, 2);
        assert.equal(r1.uidValidity, before.uidValidity);
        const c1 = r1.changes[0]!;
        const c2 = r2.changes[0]!;
        assert.equal(c1.kind, 'exists');
        assert.ok(c2.modseq > c1.modseq && c1.modseq > before.highestModseq);
        const [m1] = await store.getMessages(a.id, inbox, [1]);
        assert.deepEqual(m1!.flags, ['\\Seen', 'Custom']);
        assert.equal(m1!.size, raw.length);
        assert.equal(m1!.internalDate.toISOString(), '2020-02-03T04:05:06.000Z');
        assert.ok((await store.getRaw(a.id, inbox, 1)).equals(raw));
        await rejectsCode(store.getRaw(a.id, inbox, 99), 'EXPUNGED');
        const snap = await store.snapshot(a.id, inbox);
        assert.deepEqual([...snap.uids], [1, 2]);
        assert.deepEqual([...snap.modseqs], [c1.modseq, c2.modseq]);
        if (snap.keywords) assert.deepEqual(snap.keywords, ['Custom']);
        const [wi] = await store.getMessagesWithIndex(a.id, inbox, [2]);
        assert.equal(wi!.index.version, 1);
        assert.ok(wi!.index.root.bodyStart > 0);
        const st = await store.mailboxStatus(a.id, inbox);
        assert.equal(st.messages, 2);
        assert.equal(st.unseen, 1);
        assert.equal(st.firstUnseenUid, 2);
        assert.equal(st.size, raw.length + rawMessage().length);
        assert.equal(st.uidNext, 3);
        assert.equal(st.highestModseq, c2.modseq);
        // MULTIAPPEND
        const many = await store.appendMany(a.id, inbox, [{ raw: rawMessage() }, { raw: rawMessage() }]);
        assert.deepEqual(many.map((m) => m.uid), [3, 4]);
      }));

    it('flags: add/remove/replace, modseq bumps, UNCHANGEDSINCE', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        await store.appendMany(a.id, inbox, [{ raw: rawMessage() }, { raw: rawMessage() }, { raw: rawMessage() }]);
        const hm0 = (await store.getMailbox(a.id, 'INBOX'))!.highestModseq;
        const r = await store.storeFlags(a.id, inbox, [[1, 2]], 'add', ['\\SEEN', '$Label']);
        assert.deepEqual(r.updated.map((u) => u.uid), [1, 2]);
        assert.deepEqual(r.updated[0]!.flags, ['\\Seen', '$Label']);
        assert.ok(r.updated.every((u) => u.modseq > hm0));
        assert.equal(r.changes.length, 2);
        // no-op store changes nothing
        const r2 = await store.storeFlags(a.id, inbox, [1], 'add', ['\\Seen']);
        assert.equal(r2.updated.length, 0);
        assert.equal((await store.getMailbox(a.id, 'INBOX'))!.highestModseq, r.updated[1]!.modseq);
        const r3 = await store.storeFlags(a.id, inbox, [1], 'remove', ['$label']);
        assert.deepEqual(r3.updated[0]!.flags, ['\\Seen']);
        const r4 = await store.storeFlags(a.id, inbox, [[1, Infinity]], 'replace', ['\\Flagged', '\\Recent']);
        assert.deepEqual(r4.updated.map((u) => u.flags), [['\\Flagged'], ['\\Flagged'], ['\\Flagged']]);
        // UNCHANGEDSINCE: message 3 unchanged since r4, 1 changed later
        const r5 = await store.storeFlags(a.id, inbox, [1], 'add', ['\\Answered']);
        const r6 = await store.storeFlags(a.id, inbox, [1, 3], 'add', ['\\Draft'], { unchangedSince: r4.updated[2]!.modseq });
        assert.deepEqual(r6.failed, [1]);
        assert.deepEqual(r6.updated.map((u) => u.uid), [3]);
        assert.ok(r6.updated[0]!.modseq > r5.updated[0]!.modseq);
        const s = await store.search(a.id, inbox, { op: 'modseq', min: r6.updated[0]!.modseq });
        assert.deepEqual(s, [3]);
      }));

    it('expunge, UID EXPUNGE and the expunge log', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        await store.appendMany(a.id, inbox, [1, 2, 3, 4].map(() => ({ raw: rawMessage() })));
        await store.storeFlags(a.id, inbox, [1, 2, 4], 'add', ['\\Deleted']);
        const mark = (await store.getMailbox(a.id, 'INBOX'))!.highestModseq;
        const e1 = await store.expunge(a.id, inbox, [[1, 2]]);
        assert.deepEqual(e1.uids, [1, 2]);
        assert.equal(e1.changes[0]!.kind, 'expunge');
        assert.ok(e1.changes[0]!.modseq > mark);
        const e2 = await store.expunge(a.id, inbox);
        assert.deepEqual(e2.uids, [4]);
        assert.deepEqual(await store.expungedSince(a.id, inbox, mark), [1, 2, 4]);
        assert.deepEqual(await store.expungedSince(a.id, inbox, e1.changes[0]!.modseq), [4]);
        assert.deepEqual([...(await store.snapshot(a.id, inbox)).uids], [3]);
        // UIDs never reused
        const r = await store.append(a.id, inbox, { raw: rawMessage() });
        assert.equal(r.uid, 5);
        const st = await store.mailboxStatus(a.id, inbox);
        assert.equal(st.deleted, 0);
        assert.equal(st.messages, 2);
      }));

    it('copy and move: mapping, guid, flags, bytes', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        const arch = (await store.getMailbox(a.id, 'Archive'))!;
        const raws = [rawMessage({ subject: 'a' }), rawMessage({ subject: 'b' }), rawMessage({ subject: 'c' })];
        await store.appendMany(a.id, inbox, raws.map((raw) => ({ raw, flags: ['\\Flagged'] })));
        await store.append(a.id, arch.id, { raw: rawMessage() }); // dest uid 1 taken
        const src = await store.getMessages(a.id, inbox, [[1, 3]]);
        const c = await store.copy(a.id, inbox, [1, 3, 7], arch.id);
        assert.equal(c.uidValidity, arch.uidValidity);
        assert.deepEqual(c.mapping, [[1, 2], [3, 3]]);
        const copied = await store.getMessages(a.id, arch.id, [2, 3]);
        assert.deepEqual(copied[0]!.flags, ['\\Flagged']);
        assert.notEqual(copied[0]!.guid, src[0]!.guid); // COPY makes a new message
        assert.ok((await store.getRaw(a.id, arch.id, 3)).equals(raws[2]!));
        assert.equal((await store.mailboxStatus(a.id, inbox)).messages, 3);
        const m = await store.move(a.id, inbox, [[2, 3]], arch.id);
        assert.deepEqual(m.mapping, [[2, 4], [3, 5]]);
        const kinds = m.changes.map((x) => `${x.kind}:${x.mailboxId}`);
        assert.deepEqual(kinds, [`exists:${arch.id}`, `exists:${arch.id}`, `expunge:${inbox}`]);
        const moved = await store.getMessages(a.id, arch.id, [4]);
        assert.equal(moved[0]!.guid, src[1]!.guid); // MOVE keeps the guid
        assert.deepEqual([...(await store.snapshot(a.id, inbox)).uids], [1]);
        assert.deepEqual(await store.expungedSince(a.id, inbox, 0), [2, 3]);
        assert.equal(await store.usedBytes(a.id), raws.reduce((s, r) => s + r.length, 0) + rawMessage().length + raws[0]!.length + raws[2]!.length);
      }));

    it('SEARCH BODY/TEXT is a case-insensitive substring match: words, parts of words, phrases, punctuation, non-ASCII (index or scan alike)', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        const bodies = [
          'The deployment of release 4.2 is scheduled; deploy-ops will confirm.',
          'Employee handbook: see https://intranet.example/handbook?v=2 for details',
          'Re-deployment postponed. Deployments resume Monday!',
          'Grüße aus Köln, straße 12 — naïve café résumé',
          'Quarterly numbers: revenue up 12%, costs down 3% (Q3/Q4)',
          'zebra crossing near the zoo; ZEBRAS everywhere',
          'nothing to see here',
          'The quick brown fox jumps over the lazy dog. The dog sleeps.',
          'a b c d e f g ab abc abcd',
          'Invoice #4411 from ACME Corp., due 2024-03-01',
        ];
        for (const [i, body] of bodies.entries()) await store.append(a.id, inbox, { raw: rawMessage({ subject: `note ${i} subjectword${i}`, body }) });
        const expected = (q: string) => bodies.flatMap((b, i) => (b.toLowerCase().includes(q.toLowerCase()) ? [i + 1] : []));
        const queries = ['deploy', 'deployment', 'ploy', 'DEPLOY-OPS', 're-deploy', 'ment', 'employ', 'the dog', 'dog.', 'e', 'ab', 'abc',
          'b c', '4.2', '12%', '(q3/q4)', 'https://intranet', 'grüße', 'GRÜSSE', 'köln, str', 'straße 12 —', 'café', 'résumé', 'zebra', 'ZEBRAS ev',
          'quick brown', 'brown quick', 'absent', 'zzzz', '#4411', 'acme corp.', '2024-03', ' ', 'x y'];
        const rnd = seededRandom(42);
        for (let i = 0; i < 60; i++) {
          const b = bodies[Math.floor(rnd() * bodies.length)]!;
          const start = Math.floor(rnd() * b.length);
          queries.push(b.slice(start, start + 1 + Math.floor(rnd() * 12)));
        }
        for (const q of queries) assert.deepEqual(await store.search(a.id, inbox, { op: 'body', value: q }), expected(q), `BODY ${JSON.stringify(q)}`);
        // TEXT also looks at the header
        assert.deepEqual(await store.search(a.id, inbox, { op: 'text', value: 'subjectword3' }), [4]);
        assert.deepEqual(await store.search(a.id, inbox, { op: 'text', value: 'deployment' }), expected('deployment'));
        assert.deepEqual(await store.search(a.id, inbox, { op: 'body', value: 'subjectword3' }), []);
        assert.deepEqual(await store.search(a.id, inbox, { op: 'header', field: 'subject', value: 'CTWORD3' }), [4]);
        assert.deepEqual(await store.search(a.id, inbox, { op: 'header', field: 'subject', value: 'e 3 subj' }), [4]);
        assert.deepEqual(await store.search(a.id, inbox, { op: 'header', field: 'from', value: 'subjectword3' }), []);
        assert.deepEqual(await store.search(a.id, inbox, { op: 'not', of: { op: 'body', value: 'deploy' } }), [2, 4, 5, 6, 7, 8, 9, 10]);
        // a copy shares the stored text; expunging the original leaves the copy findable
        await store.createMailbox(a.id, 'Other');
        const other = (await store.getMailbox(a.id, 'Other'))!;
        await store.copy(a.id, inbox, [1], other.id);
        await store.storeFlags(a.id, inbox, [1], 'add', ['\\Deleted']);
        await store.expunge(a.id, inbox);
        assert.deepEqual(await store.search(a.id, inbox, { op: 'body', value: 'deployment' }), [3]);
        assert.deepEqual(await store.search(a.id, other.id, { op: 'body', value: 'deployment' }), [1]);
      }));

    it('FUZZY (RFC 6203) string keys: every word of the string, in any order', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        await store.append(a.id, inbox, { raw: rawMessage({ subject: 'IMAP break', body: 'the IMAP server is broken again' }) });
        await store.append(a.id, inbox, { raw: rawMessage({ subject: 'breaking IMAP', body: 'imap only here' }) });
        await store.append(a.id, inbox, { raw: rawMessage({ subject: 'lunch', body: 'break for lunch, no protocol talk' }) });
        const s = (q: Parameters<Store['search']>[2]) => store.search(a.id, inbox, q);
        assert.deepEqual(await s({ op: 'header', field: 'subject', value: 'IMAP break' }), [1]);
        assert.deepEqual(await s({ op: 'header', field: 'subject', value: 'IMAP break', fuzzy: true }), [1, 2]);
        assert.deepEqual(await s({ op: 'body', value: 'broken imap', fuzzy: true }), [1]);
        assert.deepEqual(await s({ op: 'body', value: 'broken imap' }), []);
        assert.deepEqual(await s({ op: 'text', value: 'lunch protocol', fuzzy: true }), [3]);
        assert.deepEqual(await s({ op: 'text', value: 'imap, broken!', fuzzy: true }), [1]);
        assert.deepEqual(await s({ op: 'text', value: 'IMAP breaking', fuzzy: true }), [2]);
        assert.deepEqual(await s({ op: 'not', of: { op: 'body', value: 'imap here', fuzzy: true } }), [1, 3]);
      }));

    it('search keys', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        await store.append(a.id, inbox, {
          raw: rawMessage({ subject: 'Quarterly Report', from: 'Carol <carol@corp.example>', date: 'Tue, 05 Mar 2024 23:30:00 -0500', body: 'Numbers are UP this quarter. Grüße' }),
          flags: ['\\Seen'],
          internalDate: new Date('2024-03-06T12:00:00Z'),
        });
        await store.append(a.id, inbox, {
          raw: rawMessage({ subject: '=?utf-8?B?w5xiZXJyYXNjaHVuZw==?=', date: '', body: 'nothing to see ' + 'x'.repeat(2000) }),
          flags: ['$Important'],
          internalDate: new Date('2024-01-10T08:00:00Z'),
        });
        const s = (q: Parameters<Store['search']>[2]) => store.search(a.id, inbox, q);
        assert.deepEqual(await s({ op: 'all' }), [1, 2]);
        assert.deepEqual(await s({ op: 'flag', flag: '\\seen', set: true }), [1]);
        assert.deepEqual(await s({ op: 'flag', flag: '\\Seen', set: false }), [2]);
        assert.deepEqual(await s({ op: 'flag', flag: '$important', set: true }), [2]);
        assert.deepEqual(await s({ op: 'header', field: 'subject', value: 'quarterly' }), [1]);
        assert.deepEqual(await s({ op: 'header', field: 'subject', value: 'überrasch' }), [2]);
        assert.deepEqual(await s({ op: 'header', field: 'from', value: 'CAROL@corp' }), [1]);
        assert.deepEqual(await s({ op: 'header', field: 'x-missing', value: '' }), []);
        assert.deepEqual(await s({ op: 'header', field: 'message-id', value: '' }), [1, 2]);
        assert.deepEqual(await s({ op: 'body', value: 'up THIS' }), [1]);
        assert.deepEqual(await s({ op: 'body', value: 'GRÜSSE'.replace('SS', 'ß') }), [1]);
        assert.deepEqual(await s({ op: 'body', value: 'quarterly' }), []);
        assert.deepEqual(await s({ op: 'text', value: 'quarterly' }), [1]);
        assert.deepEqual(await s({ op: 'text', value: 'nothing to' }), [2]);
        assert.deepEqual(await s({ op: 'size', cmp: 'larger', n: 1000 }), [2]);
        assert.deepEqual(await s({ op: 'size', cmp: 'smaller', n: 1000 }), [1]);
        // sent date: as written in the header (5 Mar in its own zone); message 2 falls back to internal date
        assert.deepEqual(await s({ op: 'sentdate', cmp: 'on', date: '2024-03-05' }), [1]);
        assert.deepEqual(await s({ op: 'sentdate', cmp: 'before', date: '2024-03-05' }), [2]);
        assert.deepEqual(await s({ op: 'sentdate', cmp: 'since', date: '2024-03-05' }), [1]);
        assert.deepEqual(await s({ op: 'sentdate', cmp: 'on', date: '2024-01-10' }), [2]);
        assert.deepEqual(await s({ op: 'internaldate', cmp: 'on', date: '2024-03-06' }), [1]);
        assert.deepEqual(await s({ op: 'internaldate', cmp: 'before', date: '2024-03-06' }), [2]);
        assert.deepEqual(await s({ op: 'internaldate', cmp: 'since', date: '2024-01-11' }), [1]);
        assert.deepEqual(await s({ op: 'uid', set: [[2, Infinity]] }), [2]);
        assert.deepEqual(await s({ op: 'not', of: { op: 'uid', set: [2] } }), [1]);
        assert.deepEqual(await s({ op: 'or', of: [{ op: 'uid', set: [1] }, { op: 'body', value: 'nothing' }] }), [1, 2]);
        assert.deepEqual(await s({ op: 'and', of: [{ op: 'flag', flag: '\\Seen', set: true }, { op: 'body', value: 'nothing' }] }), []);
        assert.deepEqual(await s({ op: 'not', of: { op: 'flag', flag: '$IMPORTANT', set: true } }), [1]);
        assert.deepEqual(await s({ op: 'flag', flag: '\\Deleted', set: false }), [1, 2]);
        assert.deepEqual(await s({ op: 'uid', set: [] }), []);
        // a UID set with many ranges
        const many: Array<number | [number, number]> = Array.from({ length: 300 }, (_, i) => 3 + 2 * i);
        assert.deepEqual(await s({ op: 'uid', set: [...many, 2] }), [2]);
        assert.deepEqual(await s({ op: 'or', of: [{ op: 'uid', set: many }, { op: 'uid', set: [[1, 1]] }] }), [1]);
        assert.deepEqual(await s({ op: 'internaldate', cmp: 'on', date: 'bad' }), []);
      }));

    it('quota: appends, copies and deliveries over it are OVERQUOTA', () =>
      withStore(async (store) => {
        const raw = rawMessage();
        const a = await seedAccount(store, 'q@example.test', { quotaBytes: raw.length * 2 + 1 });
        const inbox = await inboxId(store, a.id);
        await store.append(a.id, inbox, { raw });
        await store.append(a.id, inbox, { raw });
        assert.equal(await store.usedBytes(a.id), raw.length * 2);
        await rejectsCode(store.append(a.id, inbox, { raw }), 'OVERQUOTA');
        await rejectsCode(store.appendMany(a.id, inbox, [{ raw: Buffer.from('x') }, { raw }]), 'OVERQUOTA');
        const trash = (await store.getMailbox(a.id, 'Trash'))!;
        await rejectsCode(store.copy(a.id, inbox, [1], trash.id), 'OVERQUOTA');
        const d = await store.deliver([{ accountId: a.id }], raw);
        assert.ok('error' in d[0]! && d[0].error.code === 'OVERQUOTA');
        assert.equal((await store.mailboxStatus(a.id, inbox)).messages, 2);
        // moving within the account does not count twice
        await store.move(a.id, inbox, [1], trash.id);
        await store.updateAccount(a.id, { quotaBytes: 0 });
        await store.append(a.id, inbox, { raw });
      }));

    it('deliver: several targets, one parse, per-target errors', () =>
      withStore(async (store) => {
        const a = await seedAccount(store, 'a@example.test');
        const b = await seedAccount(store, 'b@example.test');
        const bJunk = (await store.getMailbox(b.id, 'Junk'))!;
        const raw = rawMessage({ subject: 'to many' });
        const aInbox = await inboxId(store, a.id);
        const r = await store.deliver(
          [{ accountId: a.id, flags: ['$Forwarded'] }, { accountId: b.id, mailboxId: bJunk.id }, { accountId: a.id, mailboxId: bJunk.id }, { accountId: 9999 }],
          raw,
          { internalDate: new Date('2024-05-01T00:00:00Z') },
        );
        assert.deepEqual(r[0], { accountId: a.id, mailboxId: aInbox, uid: 1 });
        assert.deepEqual(r[1], { accountId: b.id, mailboxId: bJunk.id, uid: 1 });
        assert.ok('error' in r[2]! && r[2].error.code === 'NONEXISTENT');
        assert.ok('error' in r[3]! && r[3].error.code === 'NONEXISTENT');
        assert.ok((await store.getRaw(b.id, bJunk.id, 1)).equals(raw));
        const [m] = await store.getMessages(a.id, aInbox, [1]);
        assert.deepEqual(m!.flags, ['$Forwarded']);
        assert.equal(m!.internalDate.toISOString(), '2024-05-01T00:00:00.000Z');
      }));

    it('deliver with a precomputed index (the caller parsed the message already): the same copy, index and search as without', () =>
      withStore(async (store) => {
        const a = await seedAccount(store, 'a@example.test');
        const raw = rawMessage({ subject: 'indexed once' });
        const inbox = await inboxId(store, a.id);
        const prefix = Buffer.from('Delivered-To: a@example.test\r\n');
        await store.deliver([{ accountId: a.id, prefix }], raw);
        await store.deliver([{ accountId: a.id, prefix }], raw, { index: indexMessage(raw) });
        const [one, two] = await store.getMessagesWithIndex(a.id, inbox, [1, 2]);
        assert.deepEqual(two!.index, one!.index);
        assert.ok((await store.getRaw(a.id, inbox, 2)).equals(Buffer.concat([prefix, raw])));
        assert.deepEqual(await store.search(a.id, inbox, { op: 'header', field: 'subject', value: 'indexed once' }), [1, 2]);
      }));

    it('deliver with a prefix per target: each copy byte-exact, its index that of the copy, searchable, quota by copy size', () =>
      withStore(async (store) => {
        const a = await seedAccount(store, 'a@example.test');
        const b = await seedAccount(store, 'b@example.test');
        const raw = Buffer.from(
          'From: x@example.org\r\nSubject: prefixed\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n' +
            'Content-Type: text/plain\r\n\r\nline one\nline two\r\n--zz\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n--zz--\r\n',
        );
        const prefixOf = (who: string) => Buffer.from(`Return-Path: <x@example.org>\r\nDelivered-To: ${who}\r\nReceived: from a\r\n\tby b; Thu, 1 Jan 2026 00:00:00 +0000\r\n`);
        await store.updateAccount(b.id, { quotaBytes: raw.length + 10 }); // the message fits, the copy does not
        const r = await store.deliver(
          [
            { accountId: a.id, prefix: prefixOf('a@example.test') },
            { accountId: a.id, mailboxId: (await store.getMailbox(a.id, 'Junk'))!.id, prefix: prefixOf('a+junk@example.test') },
            { accountId: b.id, prefix: prefixOf('b@example.test') },
          ],
          raw,
        );
        assert.ok('error' in r[2]! && r[2].error.code === 'OVERQUOTA', 'quota counts the prefix too');
        for (const [i, who] of [[0, 'a@example.test'], [1, 'a+junk@example.test']] as const) {
          const d = r[i]!;
          assert.ok(!('error' in d));
          const copy = Buffer.concat([prefixOf(who), raw]);
          assert.ok((await store.getRaw(a.id, d.mailboxId, d.uid)).equals(copy), 'byte-exact copy');
          const [m] = await store.getMessagesWithIndex(a.id, d.mailboxId, [d.uid]);
          assert.equal(m!.size, copy.length);
          assert.deepEqual(m!.index, indexMessage(copy), 'the stored index is the index of the stored copy');
          assert.deepEqual(await store.search(a.id, d.mailboxId, { op: 'header', field: 'delivered-to', value: who }), [d.uid]);
          assert.deepEqual(await store.search(a.id, d.mailboxId, { op: 'header', field: 'subject', value: 'prefixed' }), [d.uid]);
          assert.deepEqual(await store.search(a.id, d.mailboxId, { op: 'body', value: 'line two' }), [d.uid]);
        }
        assert.equal(await store.usedBytes(a.id), 2 * raw.length + prefixOf('a@example.test').length + prefixOf('a+junk@example.test').length);
      }));

    it('POP3-retained messages count toward the quota until restored or purged (issue 9 item 6)', () =>
      withStore(async (store) => {
        const raw = rawMessage({ subject: 'fill', body: 'x'.repeat(1000) });
        const a = await seedAccount(store, 'a@example.test', { quotaBytes: 2 * raw.length + 10 });
        const inbox = await inboxId(store, a.id);
        await store.append(a.id, inbox, { raw });
        await store.append(a.id, inbox, { raw });
        await rejectsCode(store.append(a.id, inbox, { raw }), 'OVERQUOTA');
        // the review's loop: POP3 DELE under the retain policy, then append again
        await store.pop3Delete(a.id, [1, 2], 'retain', 30);
        assert.equal((await store.mailboxStatus(a.id, inbox)).messages, 0);
        assert.equal(await store.usedBytes(a.id), 2 * raw.length, 'retained bytes still count');
        await rejectsCode(store.append(a.id, inbox, { raw }), 'OVERQUOTA');
        const d = await store.deliver([{ accountId: a.id }], raw);
        assert.ok('error' in d[0]! && d[0].error.code === 'OVERQUOTA');
        // restoring changes nothing in the count; purging gives the space back
        assert.equal(await store.pop3Restore(a.id, [(await store.listRetained(a.id))[0]!.guid]), 1);
        assert.equal(await store.usedBytes(a.id), 2 * raw.length);
        await store.purgeRetained(new Date(Date.now() + 31 * 86_400_000));
        assert.equal(await store.usedBytes(a.id), raw.length);
        await store.append(a.id, inbox, { raw });
      }));

    it('getRawMany: the bytes getRaw gives, one entry per asked UID in the order asked, null for UIDs not held', () =>
      withStore(async (store) => {
        const a = await seedAccount(store, 'a@example.test');
        const inbox = await inboxId(store, a.id);
        const raws = [
          rawMessage({ subject: 'one' }),
          Buffer.from('Subject: bare\n\n.dot line\nno CR\n', 'latin1'),
          Buffer.concat([rawMessage({ subject: 'bin' }), Buffer.from([0xff, 0x00, 0x0a, 0x2e, 0x0d])]),
        ];
        for (const raw of raws) await store.append(a.id, inbox, { raw });
        await store.storeFlags(a.id, inbox, [2], 'add', ['\\Deleted']);
        await store.expunge(a.id, inbox);
        const got = await store.getRawMany(a.id, inbox, [3, 2, 1, 99, 3]);
        assert.equal(got.length, 5);
        assert.ok(got[0]!.equals(raws[2]!) && got[4]!.equals(raws[2]!));
        assert.equal(got[1], null, 'expunged');
        assert.ok(got[2]!.equals(raws[0]!));
        assert.equal(got[3], null, 'never existed');
        assert.ok(got[2]!.equals(await store.getRaw(a.id, inbox, 1)));
        assert.deepEqual(await store.getRawMany(a.id, inbox, []), []);
        // more UIDs than one statement takes (the SQLite backend reads them in parts)
        const many = await store.getRawMany(a.id, inbox, Array.from({ length: 250 }, (_, i) => 250 - i));
        assert.equal(many.length, 250);
        assert.deepEqual(
          many.map((r, i) => (r ? 250 - i : 0)).filter((u) => u > 0),
          [3, 1],
        );
        assert.ok(many[249]!.equals(raws[0]!));
        // a mailbox of the account without those messages: all null, no error
        const arch = (await store.getMailbox(a.id, 'Archive'))!;
        assert.deepEqual(await store.getRawMany(a.id, arch.id, [1, 3]), [null, null]);
      }));

    it('account isolation: a foreign mailbox id is NONEXISTENT everywhere', () =>
      withStore(async (store) => {
        const a = await seedAccount(store, 'a@example.test');
        const b = await seedAccount(store, 'b@example.test');
        const bInbox = await inboxId(store, b.id);
        const aInbox = await inboxId(store, a.id);
        await store.append(b.id, bInbox, { raw: rawMessage({ subject: 'secret' }) });
        const calls: Array<Promise<unknown>> = [
          store.getRaw(a.id, bInbox, 1),
          store.getRawMany(a.id, bInbox, [1]),
          store.getRawMany(a.id, bInbox, []),
          store.getRawMany(12345, aInbox, [1]),
          store.getMessages(a.id, bInbox, [1]),
          store.getMessagesWithIndex(a.id, bInbox, [1]),
          store.snapshot(a.id, bInbox),
          store.search(a.id, bInbox, { op: 'all' }),
          store.mailboxStatus(a.id, bInbox),
          store.storeFlags(a.id, bInbox, [1], 'add', ['\\Seen']),
          store.copy(a.id, bInbox, [1], aInbox),
          store.copy(a.id, aInbox, [1], bInbox),
          store.move(a.id, bInbox, [1], aInbox),
          store.expunge(a.id, bInbox),
          store.expungedSince(a.id, bInbox, 0),
          store.append(a.id, bInbox, { raw: rawMessage() }),
          store.claimRecent(a.id, bInbox),
          store.getMessages(12345, aInbox, [1]),
        ];
        await Promise.all(calls.map((c) => rejectsCode(c, 'NONEXISTENT')));
        assert.equal((await store.mailboxStatus(b.id, bInbox)).messages, 1);
        assert.ok((await store.listMailboxes(a.id)).every((m) => m.accountId === a.id));
      }));

    it('aliases, plus-addressing, catch-all, chains', () =>
      withStore(async (store) => {
        const bob = await seedAccount(store, 'bob@example.test');
        const carol = await seedAccount(store, 'carol@example.test');
        await rejectsCode(store.addAlias('x@other.test', ['bob@example.test']), 'NONEXISTENT');
        await store.addAlias('Team@Example.test', ['bob@example.test', 'sales@example.test', 'Ext@Far.example']);
        await store.addAlias('sales@example.test', ['carol@example.test', 'team@example.test']);
        await rejectsCode(store.addAlias('team@example.test', ['bob@example.test']), 'ALREADYEXISTS');
        const team = await store.resolveRecipient('TEAM@example.test');
        assert.deepEqual(team!.accounts.map((a) => a.id).sort(), [bob.id, carol.id].sort());
        assert.deepEqual(team!.external, ['ext@far.example']);
        const plus = await store.resolveRecipient('bob+lists@example.test');
        assert.deepEqual(plus!.accounts.map((a) => a.id), [bob.id]);
        assert.equal(await store.resolveRecipient('nobody@example.test'), null);
        assert.equal(await store.resolveRecipient('bob@not-ours.test'), null);
        // the exact account, whatever the case and surrounding space; the whole account comes back
        const exact = await store.resolveRecipient('  Bob@EXAMPLE.test ');
        assert.deepEqual(exact, { accounts: [bob], external: [] });
        assert.equal(await store.resolveRecipient('not an address'), null);
        assert.equal(await store.resolveRecipient('@example.test'), null);
        await store.addAlias('@example.test', ['carol@example.test']);
        const any = await store.resolveRecipient('nobody@example.test');
        assert.deepEqual(any!.accounts.map((a) => a.id), [carol.id]);
        assert.deepEqual((await store.resolveRecipient('bob@example.test'))!.accounts.map((a) => a.id), [bob.id]);
        assert.equal((await store.listAliases('example.test')).length, 3);
        await store.removeAlias('@example.test');
        await rejectsCode(store.removeAlias('@example.test'), 'NONEXISTENT');
        assert.equal(await store.resolveRecipient('nobody@example.test'), null);
      }));

    it('alias loops end; deleting an account removes its data', () =>
      withStore(async (store) => {
        const a = await seedAccount(store, 'a@example.test');
        await store.addAlias('loop1@example.test', ['loop2@example.test']);
        await store.addAlias('loop2@example.test', ['loop1@example.test', 'a@example.test']);
        const r = await store.resolveRecipient('loop1@example.test');
        assert.deepEqual(r!.accounts.map((x) => x.id), [a.id]);
        await store.addAlias('x1@example.test', ['x2@example.test']);
        await store.addAlias('x2@example.test', ['x1@example.test']);
        assert.equal(await store.resolveRecipient('x1@example.test'), null);
        const inbox = await inboxId(store, a.id);
        await store.append(a.id, inbox, { raw: rawMessage() });
        await store.deleteAccount(a.id);
        await assert.rejects(store.getMessages(a.id, inbox, [1]), (e: unknown) => e instanceof StoreError && e.code === 'NONEXISTENT');
        const b = await seedAccount(store, 'a@example.test'); // same address again: a new, empty account
        assert.notEqual(b.id, a.id);
        assert.equal((await store.mailboxStatus(b.id, await inboxId(store, b.id))).messages, 0);
      }));

    it('mailbox create/rename/delete changes are published', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const got: Change[] = [];
        store.bus.subscribe(a.id, (c) => got.push(...c));
        await store.createMailbox(a.id, 'P/Q', { origin: 'o' });
        await store.setSubscribed(a.id, 'P/Q', true);
        await store.renameMailbox(a.id, 'P', 'R');
        await store.deleteMailbox(a.id, 'R/Q');
        assert.deepEqual(
          got.map((c) => `${c.kind}:${'name' in c ? c.name : ''}:${c.kind === 'mailbox-renamed' ? c.oldName : ''}`),
          ['mailbox-created:P:', 'mailbox-created:P/Q:', 'mailbox-renamed:R:P', 'mailbox-renamed:R/Q:P/Q', 'mailbox-deleted:R/Q:'],
        );
        assert.equal(got[0]!.origin, 'o');
        // the subscription followed the rename
        const subs = await store.listSubscriptions(a.id);
        assert.ok(subs.includes('R/Q') && !subs.includes('P/Q'));
      }));

    it('a password change and an account removal are published as account changes (sessions end on them)', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const got: Change[] = [];
        store.bus.subscribe(a.id, (c) => got.push(...c));
        await store.updateAccount(a.id, { quotaBytes: 5000, pop3Policy: 'hide' });
        assert.equal(got.length, 0, 'quota and policy changes are not account events');
        await store.updateAccount(a.id, { passwordHash: 'h2' }, { origin: 'web-1' });
        await store.deleteAccount(a.id);
        assert.deepEqual(
          got.map((c) => [c.kind, c.kind === 'account' ? c.event : '', c.accountId, c.mailboxId, c.origin]),
          [
            ['account', 'password', a.id, 0, 'web-1'],
            ['account', 'removed', a.id, 0, undefined],
          ],
        );
      }));

    it('claimRecent and STATUS RECENT', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        await store.appendMany(a.id, inbox, [{ raw: rawMessage() }, { raw: rawMessage() }]);
        assert.equal((await store.mailboxStatus(a.id, inbox)).recent, 2);
        assert.equal(await store.claimRecent(a.id, inbox), 1);
        assert.equal(await store.claimRecent(a.id, inbox), 3);
        assert.equal((await store.mailboxStatus(a.id, inbox)).recent, 0);
        await store.append(a.id, inbox, { raw: rawMessage() });
        assert.equal((await store.mailboxStatus(a.id, inbox, 1)).recent, 3);
        assert.equal(await store.claimRecent(a.id, inbox), 3);
      }));

    it('POP3 policies: retain, restore byte-exact, trash, hide, expunge, purge', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        const raws = [1, 2, 3, 4, 5].map((i) => Buffer.from(rawMessage({ subject: `m${i}` }).toString().replace(/\r\n/g, i === 5 ? '\n' : '\r\n')));
        await store.appendMany(a.id, inbox, raws.map((raw, i) => ({ raw, flags: i === 0 ? ['\\Seen'] : [], internalDate: new Date(Date.UTC(2024, 0, i + 1)) })));
        const list = await store.pop3List(a.id);
        assert.deepEqual(list.map((e) => e.uid), [1, 2, 3, 4, 5]);
        assert.equal(list[4]!.pop3Size, raws[4]!.length + raws[4]!.toString().split('\n').length - 1);
        assert.equal(list[0]!.pop3Size, raws[0]!.length);
        const guid1 = list[0]!.guid;
        const seen: Change[] = [];
        const unsub = store.bus.subscribe(a.id, (c) => seen.push(...c));
        // retain
        const ch = await store.pop3Delete(a.id, [1, 99], 'retain', 7);
        assert.equal(ch.length, 1);
        assert.deepEqual(ch[0]!.kind === 'expunge' && ch[0].uids, [1]);
        assert.ok(seen.some((c) => c.kind === 'expunge'));
        const ret = await store.listRetained(a.id);
        assert.equal(ret.length, 1);
        assert.equal(ret[0]!.guid, guid1);
        assert.equal(ret[0]!.subject, 'm1');
        assert.ok(Math.abs(ret[0]!.purgeAfter.getTime() - ret[0]!.deletedAt.getTime() - 7 * 86400000) < 1000);
        // hide: gone for POP3, still there for IMAP
        await store.pop3Delete(a.id, [2], 'hide', 7);
        assert.deepEqual((await store.pop3List(a.id)).map((e) => e.uid), [3, 4, 5]);
        assert.deepEqual([...(await store.snapshot(a.id, inbox)).uids], [2, 3, 4, 5]);
        // trash
        await store.pop3Delete(a.id, [3], 'trash', 7);
        const trash = (await store.getMailbox(a.id, 'Trash'))!;
        const inTrash = await store.getMessages(a.id, trash.id, [[1, Infinity]]);
        assert.equal(inTrash.length, 1);
        assert.ok((await store.getRaw(a.id, trash.id, inTrash[0]!.uid)).equals(raws[2]!));
        // expunge
        await store.pop3Delete(a.id, [4], 'expunge', 7);
        assert.deepEqual([...(await store.snapshot(a.id, inbox)).uids], [2, 5]);
        assert.equal((await store.listRetained(a.id)).length, 1);
        // restore: new UID, same guid, bytes, flags, internal date
        assert.equal(await store.pop3Restore(a.id), 1);
        assert.equal((await store.listRetained(a.id)).length, 0);
        const back = (await store.pop3List(a.id)).find((e) => e.guid === guid1)!;
        assert.equal(back.uid, 6);
        assert.ok((await store.getRaw(a.id, inbox, 6)).equals(raws[0]!));
        const [meta] = await store.getMessages(a.id, inbox, [6]);
        assert.deepEqual(meta!.flags, ['\\Seen']);
        assert.equal(meta!.internalDate.toISOString(), '2024-01-01T00:00:00.000Z');
        // purge
        await store.pop3Delete(a.id, [5], 'retain', 1);
        assert.equal(await store.purgeRetained(new Date()), 0);
        assert.equal(await store.purgeRetained(new Date(Date.now() + 2 * 86400000)), 1);
        assert.equal(await store.pop3Restore(a.id), 0);
        unsub();
      }));

    it('outbound queue', () =>
      withStore(async (store) => {
        const raw = rawMessage();
        const q = await store.enqueue({ from: '', recipients: ['x@far.example', 'y@far.example'], raw, accountId: null });
        assert.equal(q.size, raw.length);
        assert.equal(q.attempts, 0);
        assert.ok((await store.getQueueRaw(q.id)).equals(raw));
        assert.equal((await store.dueQueueItems(new Date(Date.now() + 1000), 10)).length, 1);
        const later = new Date(Date.now() + 3600_000);
        await store.updateQueueItem(q.id, { attempts: 1, lastError: '451 try later', nextAttemptAt: later, recipients: ['y@far.example'] });
        assert.equal((await store.dueQueueItems(new Date(), 10)).length, 0);
        const got = (await store.getQueueItem(q.id))!;
        assert.equal(got.attempts, 1);
        assert.equal(got.lastError, '451 try later');
        assert.deepEqual(got.recipients, ['y@far.example']);
        assert.equal(got.nextAttemptAt.getTime(), later.getTime());
        assert.equal((await store.listQueue()).length, 1);
        await store.removeQueueItem(q.id);
        assert.equal(await store.getQueueItem(q.id), null);
        await rejectsCode(store.getQueueRaw(q.id), 'NONEXISTENT');
      }));

    it('changes are published after commit, per account, with origin', () =>
      withStore(async (store) => {
        const a = await seedAccount(store, 'a@example.test');
        const b = await seedAccount(store, 'b@example.test');
        const inbox = await inboxId(store, a.id);
        const got: Change[] = [];
        const gotB: Change[] = [];
        const unsub = store.bus.subscribe(a.id, (changes) => {
          // published after commit: the message is visible to a listener
          for (const c of changes) got.push(c);
        });
        const unsubB = store.bus.subscribe(b.id, (c) => gotB.push(...c));
        const r = await store.append(a.id, inbox, { raw: rawMessage() }, { origin: 'sess-1' });
        assert.equal(got.length, 1);
        assert.deepEqual(got[0], r.changes[0]);
        assert.equal(got[0]!.origin, 'sess-1');
        await store.storeFlags(a.id, inbox, [1], 'add', ['\\Seen']);
        await store.createMailbox(a.id, 'New');
        assert.deepEqual(got.map((c) => c.kind), ['exists', 'flags', 'mailbox-created']);
        assert.equal(gotB.length, 0);
        unsub();
        await store.append(a.id, inbox, { raw: rawMessage() });
        assert.equal(got.length, 3);
        unsubB();
      }));

    it('closed store rejects calls with TEMP', () =>
      withStore(async (store) => {
        await store.close();
        await rejectsCode(store.listDomains(), 'TEMP');
      }));

    it('keyed state: scopes, prefixes, expiry, atomic counters, removed with the account', () =>
      withStore(async (store) => {
        const a = await seedAccount(store, 'kv-a@example.test');
        const b = await seedAccount(store, 'kv-b@example.test');
        await store.kvSet('t.ns', a.id, [
          { key: 'x/1', value: 'one' },
          { key: 'x/2', value: '{"n":2}' },
          { key: 'y', value: 'why' },
          { key: 'é', value: 'utf8' },
        ]);
        await store.kvSet('t.ns', null, [{ key: 'x/1', value: 'server' }]);
        // scopes never mix: b sees nothing of a's, the server-wide entry is its own
        assert.equal((await store.kvGet('t.ns', b.id, ['x/1'])).size, 0);
        assert.equal((await store.kvGet('t.ns', null, ['x/1'])).get('x/1')?.value, 'server');
        assert.equal((await store.kvGet('other', a.id, ['x/1'])).size, 0);
        const got = await store.kvGet('t.ns', a.id, ['x/1', 'nope', 'y']);
        assert.deepEqual([...got.keys()].sort(), ['x/1', 'y']);
        // many keys at once (rate counters read 60), repeated ones, non-ASCII
        const many = await store.kvGet('t.ns', a.id, ['é', 'é', ...Array.from({ length: 70 }, (_, i) => `k${i}`), 'x/2', 'x/']);
        assert.deepEqual([...many.keys()].sort(), ['x/2', 'é']);
        assert.equal(many.get('é')?.value, 'utf8');
        // a few keys (bound one by one in SQLite up to 4) and one more: repeated, missing, non-ASCII
        const four = await store.kvGet('t.ns', a.id, ['é', 'x/2', 'é', 'nope']);
        assert.deepEqual([...four.keys()].sort(), ['x/2', 'é']);
        assert.equal(four.get('x/2')?.value, '{"n":2}');
        const five = await store.kvGet('t.ns', a.id, ['y', 'x/1', 'x/2', 'é', 'nope']);
        assert.deepEqual([...five.keys()].sort(), ['x/1', 'x/2', 'y', 'é']);
        assert.equal((await store.kvGet('t.ns', null, ['x/2', 'x/1'])).size, 1, 'the server-wide scope, two keys');
        assert.equal((await store.kvGet('t.ns', a.id, [])).size, 0);
        assert.ok(got.get('y')!.updatedAt instanceof Date && got.get('y')!.expiresAt === null);
        assert.deepEqual((await store.kvList('t.ns', a.id, { prefix: 'x/' })).map((e) => e.key), ['x/1', 'x/2']);
        assert.deepEqual((await store.kvList('t.ns', a.id)).map((e) => e.key), ['x/1', 'x/2', 'y', 'é']);
        assert.deepEqual((await store.kvList('t.ns', a.id, { after: 'x/1', limit: 2 })).map((e) => e.key), ['x/2', 'y']);
        // replace, delete
        await store.kvSet('t.ns', a.id, [{ key: 'y', value: 'again' }]);
        assert.equal((await store.kvGet('t.ns', a.id, ['y'])).get('y')?.value, 'again');
        assert.equal(await store.kvDelete('t.ns', a.id, ['y', 'nope']), 1);
        // expiry: invisible at once, purged later
        await store.kvSet('t.ns', a.id, [{ key: 'old', value: 'v', expiresAt: new Date(Date.now() - 1000) }]);
        await store.kvSet('t.ns', a.id, [{ key: 'new', value: 'v', expiresAt: new Date(Date.now() + 3600_000) }]);
        assert.equal((await store.kvGet('t.ns', a.id, ['old'])).size, 0);
        assert.equal((await store.kvGet('t.ns', a.id, ['new'])).size, 1);
        assert.ok(!(await store.kvList('t.ns', a.id)).some((e) => e.key === 'old'));
        assert.equal(await store.kvPurgeExpired(new Date()), 1);
        // counters: concurrent adds never lose one; an expired counter starts again from 0
        const adds = await Promise.all(Array.from({ length: 20 }, () => store.kvAdd('t.count', a.id, 'c', 1, { durable: false })));
        assert.deepEqual([...adds].sort((p, q) => p - q), Array.from({ length: 20 }, (_, i) => i + 1));
        assert.equal(await store.kvAdd('t.count', a.id, 'c', -5), 15);
        await store.kvAdd('t.count', a.id, 'e', 7, { expiresAt: new Date(Date.now() - 1) });
        assert.equal(await store.kvAdd('t.count', a.id, 'e', 1), 1);
        await rejectsCode(store.kvAdd('t.count', a.id, 'c', 0.5), 'INVALID');
        // limits and unknown accounts
        await rejectsCode(store.kvSet('t.ns', a.id, [{ key: 'k'.repeat(2000), value: '' }]), 'LIMIT');
        await rejectsCode(store.kvSet('t.ns', 99999, [{ key: 'k', value: 'v' }]), 'NONEXISTENT');
        await rejectsCode(store.kvAdd('t.ns', 99999, 'k', 1), 'NONEXISTENT');
        // an account's state goes with it; others' and the server's stay
        await store.kvSet('t.ns', b.id, [{ key: 'keep', value: 'b' }]);
        await store.deleteAccount(a.id);
        const again = await seedAccount(store, 'kv-a@example.test');
        assert.equal((await store.kvList('t.ns', again.id)).length, 0);
        assert.equal((await store.kvList('t.ns', a.id)).length, 0);
        assert.equal((await store.kvGet('t.ns', b.id, ['keep'])).get('keep')?.value, 'b');
        assert.equal((await store.kvGet('t.ns', null, ['x/1'])).get('x/1')?.value, 'server');
      }));

    it('integrity: content hashes recorded at append, storage checks clean, import keeps UIDs and UIDVALIDITY', () =>
      withStore(async (store) => {
        const a = await seedAccount(store, 'int@example.test');
        const inbox = await inboxId(store, a.id);
        const raw = rawMessage({ subject: 'hashed' });
        const { uid } = await store.append(a.id, inbox, { raw });
        const [h] = await store.contentHashes(a.id, inbox, [uid]);
        assert.equal(h?.uid, uid);
        assert.equal(h?.sha256, createHash('sha256').update(raw).digest('hex'));
        assert.deepEqual(await store.contentHashes(a.id, inbox, [uid + 5]), []);
        assert.deepEqual(await store.checkStorage(), []);
        // a mailbox that never held a message adopts the source's UIDVALIDITY and UIDs (gaps kept)
        await store.createMailbox(a.id, 'Imported');
        const box = (await store.getMailbox(a.id, 'Imported'))!;
        const res = await store.importMessages(
          a.id,
          box.id,
          [
            { raw: rawMessage({ subject: 'i1' }), uid: 7, flags: ['\\Seen'] },
            { raw: rawMessage({ subject: 'i2' }), uid: 12 },
            { raw: rawMessage({ subject: 'i3' }) },
          ],
          { uidValidity: 1234567 },
        );
        assert.deepEqual(res.map((r) => [r.uidValidity, r.uid]), [[1234567, 7], [1234567, 12], [1234567, 13]]);
        const after = (await store.getMailbox(a.id, 'Imported'))!;
        assert.equal(after.uidValidity, 1234567);
        assert.equal(after.uidNext, 14);
        assert.deepEqual((await store.getMessages(a.id, box.id, [[1, Infinity]])).map((m) => [m.uid, m.flags]), [[7, ['\\Seen']], [12, []], [13, []]]);
        // UIDs must ascend from uidNext; UIDVALIDITY is fixed once a message was held; all or nothing
        await rejectsCode(store.importMessages(a.id, box.id, [{ raw, uid: 13 }]), 'INVALID');
        await rejectsCode(store.importMessages(a.id, box.id, [{ raw, uid: 20 }, { raw, uid: 19 }]), 'INVALID');
        await rejectsCode(store.importMessages(a.id, box.id, [{ raw, uid: 30 }], { uidValidity: 99 }), 'INVALID');
        await rejectsCode(store.importMessages(a.id, inbox, [{ raw }], { uidValidity: 99 }), 'INVALID');
        assert.equal((await store.getMailbox(a.id, 'Imported'))!.uidNext, 14);
        await rejectsCode(store.importMessages(a.id, box.id, [{ raw, uid: 2 ** 32 }]), 'INVALID');
        await store.importMessages(a.id, box.id, [{ raw, uid: 40 }], { uidValidity: 1234567 }); // the same value is no change
        assert.deepEqual(await store.checkStorage(), []);
      }));

    it('sort rows (sort-types.ts): keys computed from each stored body, kept by COPY, per mailbox and account', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        const r1 = await store.append(a.id, inbox, {
          raw: rawMessage({ subject: 'Re: [list] Fwd: Lunch (fwd)', from: 'Ann Lee <Ann@example.org>', to: 'bob@example.test', extra: 'References: <a@x> <b@x>\r\nCc: Carl <carl@example.org>' }),
          internalDate: new Date('2024-03-01T00:00:00Z'),
        });
        const r2 = await store.append(a.id, inbox, { raw: rawMessage({ subject: 'plain', from: 'zed@example.org', date: 'not a date', extra: 'In-Reply-To: <p@x> <q@x>' }) });
        const rows = await store.sortRows(a.id, inbox);
        assert.deepEqual(rows.map((r) => r.uid), [r1.uid, r2.uid]);
        const [x, y] = rows;
        assert.equal(x!.subject, 'LUNCH');
        assert.equal(x!.replyOrForward, true);
        assert.equal(x!.from, 'ANN');
        assert.equal(x!.displayFrom, 'ANN LEE');
        assert.equal(x!.to, 'BOB');
        assert.equal(x!.displayTo, 'BOB@EXAMPLE.TEST');
        assert.equal(x!.cc, 'CARL');
        assert.equal(x!.sentDate, Date.UTC(2024, 0, 1, 10));
        assert.equal(x!.internalDate, Date.UTC(2024, 2, 1));
        assert.deepEqual(x!.references, ['a@x', 'b@x']);
        assert.match(x!.messageId ?? '', /@example\.org$/);
        assert.ok(x!.size > 100);
        assert.equal(y!.sentDate, null);
        assert.equal(y!.replyOrForward, false);
        assert.deepEqual(y!.references, ['p@x']);
        // a copy carries the same keys under its new UID
        await store.createMailbox(a.id, 'Copies');
        const copies = (await store.getMailbox(a.id, 'Copies'))!;
        await store.copy(a.id, inbox, [r1.uid], copies.id);
        const [c] = await store.sortRows(a.id, copies.id);
        assert.equal(c!.subject, 'LUNCH');
        assert.deepEqual(c!.references, ['a@x', 'b@x']);
        // another account's mailbox is NONEXISTENT
        const other = await seedAccount(store, 'eve@example.test');
        await rejectsCode(store.sortRows(other.id, inbox), 'NONEXISTENT');
      }));

    it('summaries: the text the summarizer made for each copy (append, deliver with a prefix, copy, move), read back by UID', () => {
      // the subject and the root's header length: a prefixed copy has a longer header
      const summarizer: Summarizer = { version: 3, summarize: (idx) => `${idx.root.envelope?.subject ?? ''}|${idx.root.bodyStart}` };
      return withStore(async (store) => {
        if (!store.getSummaries) return; // optional: callers fall back to getMessagesWithIndex
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        const one = rawMessage({ subject: 'one' });
        await store.append(a.id, inbox, { raw: one });
        await store.appendMany(a.id, inbox, [{ raw: rawMessage({ subject: 'two' }) }, { raw: rawMessage({ subject: 'three' }) }]);
        const prefix = Buffer.from('Delivered-To: bob@example.test\r\n');
        await store.deliver([{ accountId: a.id, prefix }], rawMessage({ subject: 'four' }));
        const rows = await store.getSummaries(a.id, inbox, [[1, Infinity]]);
        const header = (raw: Buffer) => raw.indexOf('\r\n\r\n') + 4;
        assert.deepEqual(
          rows.map((r) => [r.uid, r.summary]),
          [
            [1, `one|${header(one)}`],
            [2, `two|${header(rawMessage({ subject: 'two' }))}`],
            [3, `three|${header(rawMessage({ subject: 'three' }))}`],
            [4, `four|${header(rawMessage({ subject: 'four' })) + prefix.length}`],
          ],
        );
        assert.deepEqual(
          rows.map((r) => [r.uid, r.flags, r.size]),
          (await store.getMessages(a.id, inbox, [[1, Infinity]])).map((m) => [m.uid, m.flags, m.size]),
        );
        const archive = (await store.getMailbox(a.id, 'Archive'))!.id;
        await store.copy(a.id, inbox, [1], archive);
        await store.move(a.id, inbox, [4], archive);
        assert.deepEqual(
          (await store.getSummaries(a.id, archive, [[1, Infinity]])).map((r) => r.summary),
          [rows[0]!.summary, rows[3]!.summary],
        );
        assert.deepEqual((await store.getSummaries(a.id, inbox, [4, [2, 3]])).map((r) => r.uid), [2, 3]);
        const other = await seedAccount(store, 'eve@example.test');
        await rejectsCode(store.getSummaries(other.id, inbox, [1]), 'NONEXISTENT');
      }, { summarizer });
    });

    it('header blocks (getHeaders): the stored bytes up to the body, with metadata and index, for append, deliver with a prefix, copy, move; expunged left out', () =>
      withStore(async (store) => {
        if (!store.getHeaders) return; // optional: callers fall back to getMessagesWithIndex + getRaw
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        await store.append(a.id, inbox, { raw: rawMessage({ subject: 'one' }), flags: ['\\Seen'] });
        await store.appendMany(a.id, inbox, [
          { raw: rawMessage({ subject: 'two', body: 'x'.repeat(200_000) }) },
          // no body at all: the header block is the whole message
          { raw: Buffer.from('Subject: three\r\nFrom: a@b.test\r\n') },
        ]);
        await store.deliver([{ accountId: a.id, prefix: Buffer.from('Delivered-To: bob@example.test\r\n') }], rawMessage({ subject: 'four' }));
        const check = async (mailbox: number, uids: number[]) => {
          const rows = await store.getHeaders!(a.id, mailbox, [[1, Infinity]]);
          assert.deepEqual(rows.map((r) => r.uid), uids);
          const full = await store.getMessagesWithIndex(a.id, mailbox, [[1, Infinity]]);
          for (const [i, r] of rows.entries()) {
            const raw = await store.getRaw(a.id, mailbox, r.uid);
            assert.ok(r.index.root.bodyStart > 0);
            assert.deepEqual(r.header, raw.subarray(0, r.index.root.bodyStart), `UID ${r.uid}`);
            assert.deepEqual(r.index, full[i]!.index);
            assert.deepEqual([r.flags, r.size, r.modseq, r.guid, r.internalDate], [full[i]!.flags, full[i]!.size, full[i]!.modseq, full[i]!.guid, full[i]!.internalDate]);
          }
          return rows;
        };
        const rows = await check(inbox, [1, 2, 3, 4]);
        assert.match(rows[0]!.header.toString(), /^[\s\S]*Subject: one\r\n[\s\S]*\r\n\r\n$/);
        assert.ok(rows[1]!.header.length < 1000);
        assert.equal(rows[2]!.header.toString(), 'Subject: three\r\nFrom: a@b.test\r\n');
        assert.match(rows[3]!.header.toString(), /^Delivered-To: bob@example.test\r\n/);
        const archive = (await store.getMailbox(a.id, 'Archive'))!.id;
        await store.copy(a.id, inbox, [1], archive);
        await store.move(a.id, inbox, [4], archive);
        const moved = await check(archive, [1, 2]);
        assert.deepEqual(moved.map((r) => r.header), [rows[0]!.header, rows[3]!.header]);
        await store.storeFlags(a.id, inbox, [2], 'add', ['\\Deleted']);
        await store.expunge(a.id, inbox);
        await check(inbox, [1, 3]);
        assert.deepEqual((await store.getHeaders(a.id, inbox, [3, [7, 9]])).map((r) => r.uid), [3]);
        const other = await seedAccount(store, 'eve@example.test');
        await rejectsCode(store.getHeaders(other.id, inbox, [1]), 'NONEXISTENT');
      }));

    it('reads of a mailbox read before and deleted since (or of another account) are NONEXISTENT', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const other = await seedAccount(store, 'eve@example.test');
        await store.createMailbox(a.id, 'Gone');
        const gone = (await store.getMailbox(a.id, 'Gone'))!.id;
        await store.append(a.id, gone, { raw: rawMessage() });
        const reads = (account: number): Array<() => Promise<unknown[]>> => [
          () => store.getMessages(account, gone, [[1, Infinity]]),
          () => store.getMessagesWithIndex(account, gone, [1]),
          () => store.search(account, gone, { op: 'all' }),
          ...(store.getHeaders ? [() => store.getHeaders!(account, gone, [1])] : []),
          ...(store.getSummaries ? [() => store.getSummaries!(account, gone, [1])] : []),
        ];
        for (const r of reads(a.id)) assert.equal((await r()).length, 1);
        for (const r of reads(other.id)) await rejectsCode(r(), 'NONEXISTENT');
        await store.deleteMailbox(a.id, 'Gone');
        for (const r of reads(a.id)) await rejectsCode(r(), 'NONEXISTENT');
      }));

    it('summaries: a delivery to copies with and without a prefix stores the right summary for each', () => {
      const summarizer: Summarizer = { version: 3, summarize: (idx) => `${idx.root.envelope?.subject ?? ''}|${idx.root.bodyStart}` };
      return withStore(async (store) => {
        if (!store.getSummaries) return;
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        const archive = (await store.getMailbox(a.id, 'Archive'))!.id;
        const raw = rawMessage({ subject: 'five' });
        const header = raw.indexOf('\r\n\r\n') + 4;
        const prefix = Buffer.from('Delivered-To: bob@example.test\r\n');
        await store.deliver([{ accountId: a.id, prefix }, { accountId: a.id, mailboxId: archive }], raw);
        assert.deepEqual((await store.getSummaries(a.id, inbox, [1])).map((r) => r.summary), [`five|${header + prefix.length}`]);
        assert.deepEqual((await store.getSummaries(a.id, archive, [1])).map((r) => r.summary), [`five|${header}`]);
      }, { summarizer });
    });

    it('summaries: null for every message of a store without a summarizer', () =>
      withStore(async (store) => {
        if (!store.getSummaries) return;
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        await store.append(a.id, inbox, { raw: rawMessage() });
        assert.deepEqual((await store.getSummaries(a.id, inbox, [1])).map((r) => r.summary), [null]);
      }));

    it('sortUids (sort-types.ts): RFC 5256 order of every key, REVERSE per key, ties by UID, strings by code point; threadRows', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        const msgs: Array<{ subject: string; from: string; to: string; date: string; extra?: string; at: string; body?: string }> = [
          { subject: 'b', from: 'Zed <zed@x.org>', to: 'amy@x.org', date: 'Tue, 02 Jan 2024 10:00:00 +0000', at: '2024-02-01T00:00:00Z' },
          { subject: 'Re: a', from: 'amy@x.org', to: 'Carl <carl@x.org>', date: 'garbage', at: '2024-01-02T09:00:00Z', extra: 'Cc: dan@x.org' },
          { subject: 'a', from: 'Amy Q <amy@x.org>', to: 'bob@x.org', date: 'Mon, 01 Jan 2024 10:00:00 +0000', at: '2024-02-01T00:00:00Z', body: 'a longer body than the others' },
          { subject: '\u00e9t\u00e9', from: 'eve@x.org', to: '', date: '', at: '2024-01-05T00:00:00Z' },
          { subject: '\u{1F600} smile', from: '\u00c9mile <emile@x.org>', to: 'zoe@x.org', date: 'Wed, 03 Jan 2024 10:00:00 +0000', at: '2024-01-03T00:00:00Z' },
          { subject: '\ufffd odd', from: 'amy@x.org', to: 'amy@x.org', date: 'Mon, 01 Jan 2024 10:00:00 +0000', at: '2024-01-04T00:00:00Z' },
          { subject: 'b', from: 'zed@x.org', to: 'amy@x.org', date: 'Tue, 02 Jan 2024 10:00:00 +0000', at: '2024-02-01T00:00:00Z', extra: 'References: <a@x> <b@x>' },
        ];
        const uids: number[] = [];
        for (const m of msgs) {
          const r = await store.append(a.id, inbox, { raw: rawMessage({ subject: m.subject, from: m.from, to: m.to || 'undisclosed-recipients:;', date: m.date, extra: m.extra, body: m.body }), internalDate: new Date(m.at) });
          uids.push(r.uid);
        }
        // one expunged: gone from every answer
        await store.storeFlags(a.id, inbox, [[uids[1]!, uids[1]!]], 'add', ['\\Deleted']);
        await store.expunge(a.id, inbox);
        const live = uids.filter((_, i) => i !== 1);
        const rows = await store.sortRows(a.id, inbox);
        const keys: SortKeyName[] = ['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO'];
        // every key, each way, and random combinations: the backend's order is the reference order
        const rnd = seededRandom(11);
        const lists: SortCriterion[][] = keys.flatMap((key) => [[{ key, reverse: false }], [{ key, reverse: true }]]);
        for (let i = 0; i < 40; i++) lists.push(Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => ({ key: keys[Math.floor(rnd() * keys.length)]!, reverse: rnd() < 0.5 })));
        for (const c of lists) assert.deepEqual(await store.sortUids(a.id, inbox, c), orderRows(rows, c), JSON.stringify(c));
        // and what that order is, by hand
        const at = (...i: number[]) => i.map((k) => uids[k]!);
        assert.deepEqual(await store.sortUids(a.id, inbox, [{ key: 'ARRIVAL', reverse: false }]), at(4, 5, 3, 0, 2, 6), 'INTERNALDATE, ties by UID');
        assert.deepEqual(await store.sortUids(a.id, inbox, [{ key: 'ARRIVAL', reverse: true }]), at(0, 2, 6, 3, 5, 4), 'REVERSE keeps ties ascending');
        // DATE: the header, else INTERNALDATE (message 3 has none: 2024-01-05)
        assert.deepEqual(await store.sortUids(a.id, inbox, [{ key: 'DATE', reverse: false }]), at(2, 5, 0, 6, 4, 3));
        // SUBJECT by code point: "A" < "B" < "ÉTÉ" (E U+0301 once case-mapped) < U+FFFD < "😀" (U+1F600; UTF-16 units would put it before U+FFFD)
        const bySubject = await store.sortUids(a.id, inbox, [{ key: 'SUBJECT', reverse: false }]);
        assert.deepEqual(bySubject, at(2, 0, 6, 3, 5, 4));
        assert.deepEqual(await store.sortUids(a.id, inbox, [{ key: 'FROM', reverse: false }, { key: 'SIZE', reverse: true }]), at(2, 5, 4, 3, 6, 0));
        assert.equal(rows.length, live.length);
        // thread rows: the thread fields of the sort rows
        const threads = await store.threadRows(a.id, inbox);
        const pick = (r: ThreadRow) => ({ uid: r.uid, internalDate: r.internalDate, sentDate: r.sentDate, subject: r.subject, replyOrForward: r.replyOrForward, messageId: r.messageId, references: r.references });
        assert.deepEqual(threads.map(pick), rows.map(pick));
        assert.deepEqual(threads.find((t) => t.uid === uids[6])!.references, ['a@x', 'b@x']);
        const other = await seedAccount(store, 'eve@example.test');
        await rejectsCode(store.sortUids(other.id, inbox, [{ key: 'ARRIVAL', reverse: false }]), 'NONEXISTENT');
        await rejectsCode(store.threadRows(other.id, inbox), 'NONEXISTENT');
      }));

    it('sortUids and threadRows follow every change to the set of messages (append, expunge, copy and move in, POP3 restore, import)', () =>
      withStore(async (store) => {
        const a = await seedAccount(store);
        const inbox = await inboxId(store, a.id);
        await store.createMailbox(a.id, 'Other');
        const other = (await store.getMailbox(a.id, 'Other'))!.id;
        const c: SortCriterion[] = [{ key: 'SUBJECT', reverse: false }];
        const check = async (what: string) => {
          const rows = await store.sortRows(a.id, inbox);
          // asked twice: a backend keeping answers hands back the same, and a copy the caller may change
          for (let i = 0; i < 2; i++) {
            const got = await store.sortUids(a.id, inbox, c);
            assert.deepEqual(got, orderRows(rows, c), what);
            got.length = 0;
            const threads = await store.threadRows(a.id, inbox);
            assert.deepEqual(threads.map((t) => t.uid), rows.map((r) => r.uid), what);
            threads.length = 0;
          }
        };
        const add = (box: number, subject: string) => store.append(a.id, box, { raw: rawMessage({ subject }) });
        await add(inbox, 'm');
        await add(inbox, 'c');
        await check('two appended');
        await add(inbox, 'a');
        await check('one more');
        await store.storeFlags(a.id, inbox, [[1, 1]], 'add', ['\\Deleted']);
        await check('a flag change changes nothing');
        await store.expunge(a.id, inbox);
        await check('expunged');
        await add(other, 'b');
        await add(other, 'z');
        await store.copy(a.id, other, [[1, 1]], inbox);
        await check('copied in');
        await store.move(a.id, other, [[2, 2]], inbox);
        await check('moved in');
        const [first] = await store.sortRows(a.id, inbox);
        await store.pop3Delete(a.id, [first!.uid], 'retain', 30);
        await check('retained by POP3');
        await store.pop3Restore(a.id);
        await check('restored');
        await store.importMessages(a.id, inbox, [{ raw: rawMessage({ subject: 'd' }), uid: 500 }]);
        await check('imported with its own UID');
        assert.deepEqual((await store.sortRows(a.id, inbox)).map((r) => r.subject), ['A', 'B', 'Z', 'C', 'D'], 'm expunged, c retained and restored under a new UID');
      }));
  });
}
