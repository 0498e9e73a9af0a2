/** SORT order and THREAD algorithms (RFC 5256 §3), on sort rows built by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SortRow } from '../../../../src/store/sort-types.js';
import { compareCodePoints, orderRows } from '../../../../src/store/sort-order.js';
import { thread, type ThreadNode } from '../../../../src/imap/sort/thread.js';
import { baseSubject, casemap } from '../../../../src/mime/base-subject.js';

function row(uid: number, o: { subject?: string; id?: string; refs?: string[]; date?: number | null; from?: string; size?: number; arrival?: number } = {}): SortRow {
  const s = baseSubject(o.subject ?? `subject ${uid}`);
  return {
    uid,
    internalDate: o.arrival ?? 1000 + uid,
    size: o.size ?? 100,
    sentDate: o.date === undefined ? uid * 1000 : o.date,
    subject: s.base,
    replyOrForward: s.replyOrForward,
    from: casemap(o.from ?? ''),
    to: '',
    cc: '',
    displayFrom: casemap(o.from ?? ''),
    displayTo: '',
    messageId: o.id ?? `m${uid}@x`,
    references: o.refs ?? [],
    preview: '',
    saveDate: null,
  };
}

/** the thread-list text of RFC 5256 §4 */
function text(forest: ThreadNode[]): string {
  const list = (n: ThreadNode): string => {
    const out: string[] = [];
    let cur = n;
    for (;;) {
      if (cur.row) out.push(String(cur.row.uid));
      if (cur.children.length !== 1) break;
      cur = cur.children[0]!;
    }
    let s = out.join(' ');
    if (cur.children.length > 1) s += (s ? ' ' : '') + cur.children.map(list).join('');
    return `(${s})`;
  };
  return forest.map(list).join('');
}

test('REFERENCES: the RFC 5256 §4 example tree (2)(3 6 (4 23)(44 7 96))', () => {
  const rows = [
    row(2),
    row(3),
    row(6, { refs: ['m3@x'] }),
    row(4, { refs: ['m3@x', 'm6@x'] }),
    row(23, { refs: ['m3@x', 'm6@x', 'm4@x'] }),
    row(44, { refs: ['m6@x'] }),
    row(7, { refs: ['m6@x', 'm44@x'] }),
    row(96, { refs: ['m44@x', 'm7@x'] }),
  ];
  assert.equal(text(thread(rows, 'REFERENCES')), '(2)(3 6 (4 23)(44 7 96))');
  assert.equal(text(thread(rows, 'REFS')), '(2)(3 6 (4 23)(44 7 96))');
});

test('REFERENCES: a missing parent becomes a dummy that keeps its children together', () => {
  // 1 and 2 both answer an absent message: one thread under a dummy root
  const rows = [row(1, { subject: 'Re: x', refs: ['gone@x'] }), row(2, { subject: 'Re: x', refs: ['gone@x'] })];
  assert.equal(text(thread(rows, 'REFERENCES')), '((1)(2))');
});

test('REFERENCES step 5: roots with one base subject are gathered; a non-reply parents the replies', () => {
  const rows = [row(1, { subject: 'Lunch' }), row(2, { subject: 'Re: Lunch' }), row(3, { subject: 'Other' })];
  assert.equal(text(thread(rows, 'REFERENCES')), '(1 2)(3)');
  // REFS does not merge by subject
  assert.equal(text(thread(rows, 'REFS')), '(1)(2)(3)');
  // two non-replies with one subject: siblings under a new dummy
  const two = [row(1, { subject: 'Lunch' }), row(2, { subject: 'Lunch' })];
  assert.equal(text(thread(two, 'REFERENCES')), '((1)(2))');
});

test('REFERENCES: loops in References are never created; a duplicate Message-ID counts as none', () => {
  const rows = [row(1, { id: 'a@x', refs: ['b@x'] }), row(2, { id: 'b@x', refs: ['a@x'] }), row(3, { id: 'a@x' })];
  const t = text(thread(rows, 'REFERENCES'));
  assert.match(t, /^\(.*\)$/);
  for (const n of ['1', '2', '3']) assert.equal(t.split(/[() ]/).filter((x) => x === n).length, 1, t);
});

test('REFS orders threads by their newest message', () => {
  const rows = [row(1), row(2), row(3, { refs: ['m1@x'] })];
  assert.equal(text(thread(rows, 'REFS')), '(2)(1 3)');
  assert.equal(text(thread(rows, 'REFERENCES')), '(1 3)(2)');
});

test('ORDEREDSUBJECT: groups by base subject, first message parents the rest, threads by first date', () => {
  const rows = [row(1, { subject: 'A' }), row(2, { subject: 'B' }), row(3, { subject: 'Re: A' }), row(4, { subject: 'a' }), row(5, { subject: 'B' })];
  assert.equal(text(thread(rows, 'ORDEREDSUBJECT')), '(1 (3)(4))(2 5)');
});

test('SORT: keys, REVERSE per key, ties in mailbox order, DATE falls back to INTERNALDATE', () => {
  const rows = [
    row(1, { subject: 'b', from: 'zed', size: 30, date: 5000 }),
    row(2, { subject: 'Re: a', from: 'amy', size: 10, date: null, arrival: 4000 }),
    row(3, { subject: 'a', from: 'amy', size: 20, date: 1000 }),
  ];
  const uids = (c: Parameters<typeof orderRows>[1]) => orderRows(rows, c);
  assert.deepEqual(uids([{ key: 'SUBJECT', reverse: false }]), [2, 3, 1]);
  assert.deepEqual(uids([{ key: 'FROM', reverse: false }, { key: 'SIZE', reverse: true }]), [3, 2, 1]);
  assert.deepEqual(uids([{ key: 'DATE', reverse: false }]), [3, 2, 1]);
  assert.deepEqual(uids([{ key: 'ARRIVAL', reverse: true }]), [2, 3, 1]);
  // REVERSE does not reverse the implicit mailbox order of ties
  assert.deepEqual(uids([{ key: 'FROM', reverse: true }]), [1, 2, 3]);
});

test('SORT strings compare by code point (UTF-8 octets), as SQL BINARY / COLLATE "C" do', () => {
  const words = ['b', 'a', '\u{1F600}', '\uFF21', 'ab', '', '\u00E9', 'a\u{10000}', 'a\uE000'];
  const byOctets = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  assert.deepEqual([...words].sort(compareCodePoints), byOctets);
  assert.ok(compareCodePoints('\u{1F600}', '\uFF21') > 0, 'an astral character sorts after U+FF21 (UTF-16 units would say before)');
  const rows = words.map((w, i) => row(i + 1, { subject: w }));
  const stored = rows.map((r) => r.subject).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  assert.deepEqual(orderRows(rows, [{ key: 'SUBJECT', reverse: false }]).map((u) => rows[u - 1]!.subject), stored);
});

test('a hostile chain of 20,000 replies threads in bounded time and depth', () => {
  const rows = Array.from({ length: 20000 }, (_, i) => row(i + 1, { refs: i ? [`m${i}@x`] : [] }));
  const t0 = Date.now();
  for (const alg of ['REFERENCES', 'REFS', 'ORDEREDSUBJECT'] as const) {
    const forest = thread(rows, alg);
    let n = 0;
    const count = (x: ThreadNode[]) => {
      const stack = [...x];
      while (stack.length) {
        const k = stack.pop()!;
        if (k.row) n++;
        stack.push(...k.children);
      }
    };
    count(forest);
    assert.equal(n, 20000, alg);
    text(forest); // the response writer's recursion stays within the stack
  }
  assert.ok(Date.now() - t0 < 20000, `took ${Date.now() - t0} ms`);
});
