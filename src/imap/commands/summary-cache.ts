/**
 * Parsed summaries (./fetch-summary.ts) kept in memory by the store's summary key, one
 * cache per store: FETCH 1:* (BODYSTRUCTURE ENVELOPE) of a mailbox read before neither reads
 * the summary text again nor parses it (the store is told which keys are held: `known`).
 *
 * Nothing here needs invalidating: a key stands for one stored body forever (bodies never
 * change, keys are never reused, ../../store/summary-types.ts), and a summary holds nothing
 * that changes after delivery — flags, MODSEQ and whether the message still exists come from
 * the store on every FETCH. So a STORE or EXPUNGE by another session, another worker process
 * or another node is seen as before; an entry of an expunged message is simply never asked
 * for again and leaves with the oldest.
 *
 * Bounded by the summaries' text length (about their size in memory). When full, only every
 * ADMIT_EVERY-th new summary replaces the oldest ones, so a mailbox larger than the cache,
 * read over and over, keeps hitting most of what is cached instead of evicting each entry
 * before its next use.
 */
import type { FetchSummary } from './fetch-summary.js';

/** summary text held per store, in characters (a 10,000-message mailbox takes about 10 M) */
export const SUMMARY_CACHE_CHARS = 24 * 1024 * 1024;
const ADMIT_EVERY = 8;

export class SummaryCache {
  private readonly entries = new Map<number, { summary: FetchSummary; size: number }>();
  private size = 0;
  private misses = 0;

  constructor(readonly maxChars = SUMMARY_CACHE_CHARS) {}

  get(key: number): FetchSummary | undefined {
    return this.entries.get(key)?.summary;
  }

  has(key: number): boolean {
    return this.entries.has(key);
  }

  /** keeps `summary`, made from `chars` characters of text (see the bound above) */
  set(key: number, summary: FetchSummary, chars: number): void {
    if (this.entries.has(key) || chars > this.maxChars) return;
    if (this.size + chars > this.maxChars && ++this.misses % ADMIT_EVERY !== 0) return;
    for (const [k, e] of this.entries) {
      if (this.size + chars <= this.maxChars) break;
      this.entries.delete(k);
      this.size -= e.size;
    }
    this.entries.set(key, { summary, size: chars });
    this.size += chars;
  }

  /** characters of summary text held */
  get chars(): number {
    return this.size;
  }

  get count(): number {
    return this.entries.size;
  }
}

const caches = new WeakMap<object, SummaryCache>();

/** the cache of this store's summaries (keys of two stores are unrelated) */
export function summaryCacheOf(store: object): SummaryCache {
  let c = caches.get(store);
  if (!c) caches.set(store, (c = new SummaryCache()));
  return c;
}
