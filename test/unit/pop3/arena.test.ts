/** OutputArena: regions are reused only after their release, never written over while held. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { OutputArena } from '../../../src/pop3/wire/arena.js';

const put = (a: OutputArena, byte: number, n: number) =>
  a.fill(n + 10, (into) => {
    assert.ok(into.length >= n + 10, 'the buffer given holds at least max bytes');
    into.fill(byte, 0, n);
    return n;
  });

it('held regions keep their bytes while later ones are filled; released space is reused', () => {
  const a = new OutputArena(1000);
  const r1 = put(a, 1, 300);
  const r2 = put(a, 2, 300);
  assert.equal(r1.bytes.length, 300);
  assert.ok(r1.bytes.every((b) => b === 1));
  assert.ok(r2.bytes.every((b) => b === 2));
  // only the used part is taken: r2 starts right after r1 in the same slab
  assert.equal(r2.bytes.byteOffset, r1.bytes.byteOffset + 300);
  assert.equal(r2.bytes.buffer, r1.bytes.buffer);
  // no room for 500 while r1 and r2 are held: a new slab, r1/r2 untouched
  const r3 = put(a, 3, 500);
  assert.notEqual(r3.bytes.buffer, r1.bytes.buffer);
  assert.ok(r1.bytes.every((b) => b === 1) && r2.bytes.every((b) => b === 2));
  r3.release();
  // the current slab, fully released, starts over at its beginning
  const r4 = put(a, 4, 200);
  assert.equal(r4.bytes.buffer, r3.bytes.buffer);
  assert.equal(r4.bytes.byteOffset, r3.bytes.byteOffset);
  assert.ok(r1.bytes.every((b) => b === 1) && r2.bytes.every((b) => b === 2));
  r4.release();
  r4.release(); // a second release changes nothing
  const r5 = put(a, 5, 100);
  const r6 = put(a, 6, 100);
  assert.notEqual(r5.bytes.byteOffset, r6.bytes.byteOffset);
  assert.ok(r5.bytes.every((b) => b === 5) && r6.bytes.every((b) => b === 6));
});

it('a retired slab becomes the spare once released, and is taken again before a new one', () => {
  const a = new OutputArena(1000, 1);
  const r1 = put(a, 1, 800);
  const first = r1.bytes.buffer;
  const r2 = put(a, 2, 800); // r1 held: second slab
  assert.notEqual(r2.bytes.buffer, first);
  r1.release(); // the first slab, retired, is now the spare
  const r3 = put(a, 3, 800); // r2 held: the spare, not a third slab
  assert.equal(r3.bytes.buffer, first);
  assert.ok(r2.bytes.every((b) => b === 2));
});

it('a region larger than the slab is a buffer of its own', () => {
  const a = new OutputArena(100);
  const small = put(a, 1, 50);
  const big = put(a, 2, 500);
  assert.equal(big.bytes.length, 500);
  assert.ok(big.bytes.every((b) => b === 2));
  assert.notEqual(big.bytes.buffer, small.bytes.buffer);
  big.release();
  assert.ok(small.bytes.every((b) => b === 1));
});
