/**
 * UID / MODSEQ / flags of recently read mailboxes, held in memory and checked against the
 * mailbox row on every read: each change to a mailbox's messages (new message, flag change,
 * expunge, from this process or another) raises its HIGHESTMODSEQ, so an entry whose MODSEQ
 * and message count still match the row is current. A client's "FETCH 1:* (UID FLAGS)"
 * (every sync of every client) then reads one mailbox row instead of every message row.
 * Entries are frozen: callers share them.
 */
import type { Flag, UidSet } from '../types.js';
import { uidRanges } from '../util.js';
import type { MailboxRow } from './context.js';

/** frozen at runtime (shared by every reader of the mailbox) */
export interface FlagRow {
  uid: number;
  modseq: number;
  flags: Flag[];
}

interface Entry {
  modseq: number;
  messages: number;
  rows: readonly FlagRow[];
}

/** rows held across all mailboxes (about 100 bytes each) */
const MAX_ROWS = 500_000;

export class FlagCache {
  private readonly entries = new Map<number, Entry>();
  private rows = 0;

  /** the rows of `set` in `mb`, from memory when current, else via `load` (all of the mailbox's rows) */
  get(mb: MailboxRow, set: UidSet, load: () => FlagRow[]): FlagRow[] {
    let e = this.entries.get(mb.id);
    if (!e || e.modseq !== mb.highest_modseq || e.messages !== mb.messages) {
      this.drop(mb.id);
      const rows = load();
      for (const r of rows) Object.freeze(Object.freeze(r).flags);
      e = { modseq: mb.highest_modseq, messages: mb.messages, rows };
      if (rows.length <= MAX_ROWS) {
        while (this.rows + rows.length > MAX_ROWS && this.entries.size) this.drop(this.entries.keys().next().value!);
        this.entries.set(mb.id, e);
        this.rows += rows.length;
      }
    } else {
      // most recently used last
      this.entries.delete(mb.id);
      this.entries.set(mb.id, e);
    }
    return pick(e.rows, set);
  }

  private drop(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.rows -= e.rows.length;
    this.entries.delete(id);
  }
}

/** the rows (ascending by UID) whose UID is in `set` */
function pick(rows: readonly FlagRow[], set: UidSet): FlagRow[] {
  const ranges = uidRanges(set).sort((a, b) => a[0] - b[0]);
  if (ranges.length === 1 && ranges[0]![0] <= 1 && ranges[0]![1] >= (rows[rows.length - 1]?.uid ?? 0)) return rows.slice();
  const out: FlagRow[] = [];
  for (const [lo, hi] of ranges) {
    let i = lowerBound(rows, lo);
    for (; i < rows.length && rows[i]!.uid <= hi; i++) {
      if (out.length && out[out.length - 1]!.uid >= rows[i]!.uid) continue; // overlapping ranges
      out.push(rows[i]!);
    }
  }
  return out;
}

function lowerBound(rows: readonly FlagRow[], uid: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.uid < uid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
