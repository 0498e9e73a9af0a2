/**
 * Input generators shared by the fuzz targets: byte-level mutations of real seed inputs
 * (flip, insert dictionary words or random bytes, delete, duplicate, truncate), the kind
 * of mutation coverage-guided fuzzers apply, here driven by fast-check so every failure
 * is reproducible from its seed and shrinks to a small input.
 */
import fc from 'fast-check';

type Mutation =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'insert'; at: number; word: string }
  | { k: 'bytes'; at: number; bytes: Uint8Array }
  | { k: 'delete'; at: number; len: number }
  | { k: 'dup'; at: number; len: number }
  | { k: 'cut'; at: number };

function mutation(dictionary: readonly string[]): fc.Arbitrary<Mutation> {
  const at = fc.nat({ max: 1 << 20 });
  return fc.oneof(
    fc.record({ k: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }),
    fc.record({ k: fc.constant('insert' as const), at, word: fc.constantFrom(...dictionary) }),
    fc.record({ k: fc.constant('bytes' as const), at, bytes: fc.uint8Array({ maxLength: 16 }) }),
    fc.record({ k: fc.constant('delete' as const), at, len: fc.nat({ max: 64 }) }),
    fc.record({ k: fc.constant('dup' as const), at, len: fc.nat({ max: 256 }) }),
    fc.record({ k: fc.constant('cut' as const), at }),
  );
}

export function applyMutations(seed: Buffer, ms: readonly Mutation[]): Buffer {
  let b = Buffer.from(seed);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.k) {
      case 'flip':
        if (b.length) b[at % b.length] ^= 1 << m.bit;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.word, 'latin1'), b.subarray(at)]);
        break;
      case 'bytes':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case 'dup':
        b = Buffer.concat([b.subarray(0, at + m.len), b.subarray(at, at + m.len), b.subarray(at + m.len)]);
        break;
      case 'cut':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

/** a seed (or a generated input) with 0 to `max` mutations applied */
export function mutated(base: fc.Arbitrary<Buffer>, dictionary: readonly string[], max = 6): fc.Arbitrary<Buffer> {
  return fc.tuple(base, fc.array(mutation(dictionary), { maxLength: max })).map(([s, ms]) => applyMutations(s, ms));
}

/** cut points to feed a buffer in pieces (as TCP delivers it) */
export function chunking(): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: 512 }), { maxLength: 12 });
}

export function inChunks(b: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  for (const c of cuts) {
    if (pos >= b.length) break;
    out.push(b.subarray(pos, pos + c));
    pos += c;
  }
  if (pos < b.length || out.length === 0) out.push(b.subarray(pos));
  return out;
}
