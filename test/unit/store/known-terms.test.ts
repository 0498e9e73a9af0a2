/** The full-text vocabulary's scan for new runs (../../../src/store/sqlite/known-terms.ts) against split + Set. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { KnownTerms } from '../../../src/store/sqlite/known-terms.js';
import { RUN_SEPARATORS } from '../../../src/store/search.js';

/** the rule as written: the runs of each text, in order, reported the first time they are seen */
function reference(texts: string[], max: number): string[][] {
  const seen = new Set<string>();
  return texts.map((t) => {
    const out: string[] = [];
    for (const run of t.split(RUN_SEPARATORS)) {
      if (run.length === 0 || seen.has(run)) continue;
      if (seen.size >= max) seen.clear();
      seen.add(run);
      out.push(run);
    }
    return out;
  });
}

it('reports each new run of a text once, as split on RUN_SEPARATORS and a Set would, with Unicode spaces, astral characters and a full table', () => {
  let seed = 11;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const pieces = ['a', 'b', 'ab', 'ba', 'é', 'ß', '😀', 'x1', ' ', '\u00a0', '\u2003', '\u3000', '\ufeff', '\n', '-', '.', '@', '~', 'zebra', 'zebras'];
  const texts = ['', '   ', 'plain words here', 'word', '...a..b...', '😀 😀😀'];
  for (let i = 0; i < 2000; i++) texts.push(Array.from({ length: rnd(40) }, () => pieces[rnd(pieces.length)]).join(''));
  for (const max of [200_000, 40, 3]) {
    const known = new KnownTerms(max);
    const got = texts.map((t) => {
      const out: string[] = [];
      known.scan(t, (run) => out.push(run));
      return out;
    });
    assert.deepEqual(got, reference(texts, max), `max ${max}`);
  }
});

it('grows past its first capacity and still knows every run', () => {
  const known = new KnownTerms(100_000);
  const words = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
  const first: string[] = [];
  known.scan(words.join(' '), (run) => first.push(run));
  assert.equal(first.length, words.length);
  const again: string[] = [];
  known.scan(words.reverse().join('\n'), (run) => again.push(run));
  assert.deepEqual(again, []);
});
