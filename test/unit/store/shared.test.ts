/** Pure helpers shared by the backends: bus, names, flags, UID sets, search evaluation, dates. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createChangeBus } from '../../../src/store/bus.js';
import { matches, sentDayNumber, type SearchRecord } from '../../../src/store/search.js';
import { matchHeaderField } from '../../../src/store/headers.js';
import { applyFlagOp, inUidSet, normaliseAddress, normaliseFlags, normaliseMailboxName, nextUidValidity } from '../../../src/store/util.js';
import { StoreError, type Change } from '../../../src/store/types.js';

const change = (accountId: number, uid: number): Change => ({ kind: 'exists', accountId, mailboxId: 1, modseq: uid + 1, uid, flags: [] });

describe('ChangeBus', () => {
  it('delivers per account, in order, survives throwing listeners, unsubscribes once', () => {
    const errors: unknown[] = [];
    const bus = createChangeBus((e) => errors.push(e));
    const got: number[] = [];
    const other: number[] = [];
    bus.subscribe(1, () => {
      throw new Error('boom');
    });
    const unsub = bus.subscribe(1, (cs) => got.push(...cs.map((c) => (c as { uid: number }).uid)));
    bus.subscribe(2, (cs) => other.push(...cs.map((c) => (c as { uid: number }).uid)));
    bus.publish([change(1, 1), change(2, 7), change(1, 2)]);
    assert.deepEqual(got, [1, 2]);
    assert.deepEqual(other, [7]);
    assert.equal(errors.length, 1);
    assert.equal(bus.subscriberCount(), 3);
    unsub();
    unsub();
    assert.equal(bus.subscriberCount(), 2);
    bus.publish([change(1, 3)]);
    assert.deepEqual(got, [1, 2]);
  });
});

describe('store argument rules', () => {
  it('mailbox names', () => {
    assert.equal(normaliseMailboxName('inbox'), 'INBOX');
    assert.equal(normaliseMailboxName('Inbox/Sub'), 'INBOX/Sub');
    assert.equal(normaliseMailboxName('Projekte/Übersicht'), 'Projekte/Übersicht');
    for (const bad of ['', '/a', 'a/', 'a//b', 'a\tb', 'a\u007fb'])
      assert.throws(() => normaliseMailboxName(bad), (e: unknown) => e instanceof StoreError && e.code === 'INVALID');
  });
  it('flags', () => {
    assert.deepEqual(normaliseFlags(['\\SEEN', '\\recent', 'Work', 'work', '\\draft', '']), ['\\Seen', 'Work', '\\Draft']);
    assert.deepEqual(applyFlagOp(['\\Seen', 'A'], 'add', ['a', '\\Flagged']), ['\\Seen', 'A', '\\Flagged']);
    assert.deepEqual(applyFlagOp(['\\Seen', 'A'], 'remove', ['\\seen', 'x']), ['A']);
    assert.deepEqual(applyFlagOp(['\\Seen'], 'replace', []), []);
  });
  it('addresses and UID sets', () => {
    assert.deepEqual(normaliseAddress(' Bob@Example.TEST '), { address: 'bob@example.test', local: 'bob', domain: 'example.test' });
    assert.throws(() => normaliseAddress('nobody'), StoreError);
    assert.throws(() => normaliseAddress('@x.test'), StoreError);
    assert.ok(inUidSet(5, [1, [4, 6]]));
    assert.ok(inUidSet(99, [[10, Infinity]]));
    assert.ok(!inUidSet(3, [1, [4, 6]]));
  });
  it('UIDVALIDITY is non-zero 32-bit and ascends', () => {
    const a = nextUidValidity(0);
    const b = nextUidValidity(a);
    assert.ok(a > 0 && a <= 0xffffffff && b > a);
    assert.equal(nextUidValidity(0xffffffff), 1);
  });
});

describe('search evaluation', () => {
  it('sent dates are read in their own zone; junk is null', () => {
    assert.equal(sentDayNumber('Tue, 05 Mar 2024 23:30:00 -0500'), 20240305);
    assert.equal(sentDayNumber('5 Mar 24 01:00 +1400'), 20240305);
    assert.equal(sentDayNumber('Mon, 1 Jan 1990 00:00:00 GMT'), 19900101);
    assert.equal(sentDayNumber('not a date'), null);
    assert.equal(sentDayNumber(null), null);
  });
  it('HEADER matches field name exactly, value as substring', () => {
    const h = 'subject: hello world\nx-subject-extra: nope\nfrom: carol <c@x.example>\n';
    assert.ok(matchHeaderField(h, 'Subject', 'WORLD'));
    assert.ok(!matchHeaderField(h, 'subject', 'nope'));
    assert.ok(matchHeaderField(h, 'from', ''));
    assert.ok(!matchHeaderField(h, 'to', ''));
  });
  it('only touches text when a key needs it', () => {
    let textReads = 0;
    const rec: SearchRecord = {
      meta: { uid: 4, modseq: 9, flags: ['\\Seen'], internalDate: new Date('2024-01-02T03:04:05Z'), size: 100, guid: 'g' },
      dateHeader: () => null,
      text: () => {
        textReads++;
        return { header: 'subject: hi', body: 'body text' };
      },
    };
    assert.ok(matches({ op: 'and', of: [{ op: 'flag', flag: '\\seen', set: true }, { op: 'size', cmp: 'smaller', n: 101 }] }, rec));
    assert.equal(textReads, 0);
    assert.ok(matches({ op: 'body', value: 'TEXT' }, rec));
    assert.ok(!matches({ op: 'body', value: 'hi' }, rec));
    assert.ok(matches({ op: 'sentdate', cmp: 'on', date: '2024-01-02' }, rec)); // falls back to the internal date
    assert.ok(!matches({ op: 'internaldate', cmp: 'before', date: '2024-01-02' }, rec));
  });
});
