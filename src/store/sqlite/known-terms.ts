/**
 * The runs of a text (../search.ts RUN_SEPARATORS) that the full-text vocabulary has not
 * seen yet (fulltext.ts addTerms). A message's text holds about a thousand runs, nearly all
 * of them known: splitting it with the regex and looking each piece up in a Set cost more
 * than indexing the text in FTS5 (a substring and a string hash per occurrence). Here one
 * pass over the characters finds each run and hashes it on the way, and a known run is
 * recognised in an open-addressing table by its hash and a comparison in place; only a new
 * run becomes a string. On the corpus: about 45 µs of CPU per message against 85-95 µs
 * for split + Set.
 */
import { RUN_SEPARATORS } from '../search.js';

/** 1 for each UTF-16 code unit that separates runs: the one definition, RUN_SEPARATORS, tested per unit (about 6 ms, once) */
let separators: Uint8Array | null = null;
function separatorTable(): Uint8Array {
  if (!separators) {
    separators = new Uint8Array(65536);
    for (let c = 0; c < 65536; c++) if (RUN_SEPARATORS.test(String.fromCharCode(c))) separators[c] = 1;
  }
  return separators;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const FIRST_CAPACITY = 1024;


/** whether text[start, start + t.length) is t (a loop: cheaper than startsWith for the short runs of mail text) */
function sameAt(text: string, start: number, t: string): boolean {
  for (let j = 0; j < t.length; j++) if (text.charCodeAt(start + j) !== t.charCodeAt(j)) return false;
  return true;
}

export class KnownTerms {
  private hashes = new Int32Array(FIRST_CAPACITY);
  private terms: Array<string | undefined> = new Array<string | undefined>(FIRST_CAPACITY);
  private size = 0;

  /** `max`: runs remembered; when full the table starts again empty (new runs are then reported again) */
  constructor(private readonly max: number) {}

  /** calls `fresh` once with each distinct run of `text` not seen since the table was last emptied, and remembers it */
  scan(text: string, fresh: (term: string) => void): void {
    const SEPARATOR = separatorTable();
    const n = text.length;
    let i = 0;
    while (i < n) {
      while (i < n && SEPARATOR[text.charCodeAt(i)] === 1) i++;
      if (i >= n) return;
      const start = i;
      let h = FNV_OFFSET;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (SEPARATOR[c] === 1) break;
        h = Math.imul(h ^ c, FNV_PRIME);
      }
      this.lookup(text, start, i, h, fresh);
    }
  }

  private lookup(text: string, start: number, end: number, h: number, fresh: (term: string) => void): void {
    const len = end - start;
    let mask = this.hashes.length - 1;
    let at = h & mask;
    for (;;) {
      const t = this.terms[at];
      if (t === undefined) break;
      if (this.hashes[at] === h && t.length === len && sameAt(text, start, t)) return;
      at = (at + 1) & mask;
    }
    const term = text.slice(start, end);
    if (this.size >= this.max) this.clear();
    else if (2 * (this.size + 1) > this.hashes.length) this.grow();
    else {
      this.put(at, h, term);
      fresh(term);
      return;
    }
    // the table changed: find the slot again
    mask = this.hashes.length - 1;
    at = h & mask;
    while (this.terms[at] !== undefined) at = (at + 1) & mask;
    this.put(at, h, term);
    fresh(term);
  }

  private put(at: number, h: number, term: string): void {
    this.hashes[at] = h;
    this.terms[at] = term;
    this.size++;
  }

  private clear(): void {
    this.hashes = new Int32Array(FIRST_CAPACITY);
    this.terms = new Array<string | undefined>(FIRST_CAPACITY);
    this.size = 0;
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldTerms = this.terms;
    this.hashes = new Int32Array(oldHashes.length * 2);
    this.terms = new Array<string | undefined>(oldHashes.length * 2);
    const mask = this.hashes.length - 1;
    for (let j = 0; j < oldTerms.length; j++) {
      const t = oldTerms[j];
      if (t === undefined) continue;
      let at = oldHashes[j]! & mask;
      while (this.terms[at] !== undefined) at = (at + 1) & mask;
      this.hashes[at] = oldHashes[j]!;
      this.terms[at] = t;
    }
  }
}
