/**
 * UID / MODSEQ / flags of recently read mailboxes, held in memory and kept current by the
 * changes this store commits (apply(), called right after each commit with its Change[],
 * and with the changes other processes committed as the change-log watcher reads them).
 *
 * Every change to a mailbox's messages (new message, flag change, expunge) raises its
 * HIGHESTMODSEQ by exactly one per Change, so an entry only takes a change whose MODSEQ is
 * the next one; anything else (a gap: a change it never saw) drops the entry. On every read
 * the entry is still checked against the mailbox row's HIGHESTMODSEQ and message count, so
 * a change that never reached apply() (another process, read before its log row) costs a
 * reload, never a stale answer; before reloading, the other processes' change-log rows are
 * read once (catchUp), which brings an entry up to date for a process that was not woken.
 *
 * A client's "FETCH 1:* (UID FLAGS)" (every sync of every client) and SELECT's UID list
 * then read one mailbox row instead of every message row, also right after new mail or a
 * flag change. Rows are frozen: callers share them; a change replaces the row object.
 */
import type { Change, Flag, UidSet } from '../types.js';
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
  /** ascending by UID */
  rows: FlagRow[];
}

/** rows held across all mailboxes (about 100 bytes each) */
const MAX_ROWS = 500_000;

const EMPTY: Flag[] = Object.freeze([]) as unknown as Flag[];

function row(uid: number, modseq: number, flags: readonly Flag[]): FlagRow {
  return Object.freeze({ uid, modseq, flags: flags.length ? (Object.freeze([...flags]) as Flag[]) : EMPTY });
}

export class FlagCache {
  private readonly entries = new Map<number, Entry>();
  private rows = 0;
  /** mailboxes read from the database (misses), for tests and benchmarks */
  loads = 0;
  /**
   * reads what other processes committed into apply() (the change-log watcher's catchUp):
   * tried once before a stale entry is loaded again
   */
  catchUp: (() => void) | null = null;

  /** every row of `mb`, current, from memory when possible, else via `load` (all of the mailbox's rows) */
  all(mb: MailboxRow, load: () => FlagRow[]): readonly FlagRow[] {
    let e = this.entries.get(mb.id);
    if (e && (e.modseq !== mb.highest_modseq || e.messages !== mb.messages) && this.catchUp) {
      // another process changed the mailbox (e.g. a `serve --workers` process that had no
      // session to wake for it): its change-log rows are cheaper than every row of the mailbox
      this.catchUp();
      e = this.entries.get(mb.id);
    }
    if (!e || e.modseq !== mb.highest_modseq || e.messages !== mb.messages) {
      this.drop(mb.id);
      this.loads++;
      const rows = load();
      for (const r of rows) {
        if (r.flags.length === 0) r.flags = EMPTY;
        else Object.freeze(r.flags);
        Object.freeze(r);
      }
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
    return e.rows;
  }

  /** the rows of `set` in `mb` (see all()) */
  get(mb: MailboxRow, set: UidSet, load: () => FlagRow[]): FlagRow[] {
    return pick(this.all(mb, load), set);
  }

  /** brings entries up to date with committed changes, in commit order */
  apply(changes: readonly Change[]): void {
    if (this.entries.size === 0) return;
    for (const c of changes) {
      const e = this.entries.get(c.mailboxId);
      if (!e) continue;
      if (c.kind === 'mailbox-deleted') {
        this.drop(c.mailboxId);
        continue;
      }
      if (c.kind !== 'exists' && c.kind !== 'flags' && c.kind !== 'expunge') continue;
      if (c.modseq <= e.modseq) continue; // read after this commit already
      if (c.modseq !== e.modseq + 1 || !applyOne(e, c)) {
        this.drop(c.mailboxId);
        continue;
      }
      e.modseq = c.modseq;
    }
  }

  private drop(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.rows -= e.rows.length;
    this.entries.delete(id);
  }
}

/** false when the change does not fit the entry (then it is dropped) */
function applyOne(e: Entry, c: Change): boolean {
  const rows = e.rows;
  if (c.kind === 'exists') {
    if (rows.length && rows[rows.length - 1]!.uid >= c.uid) return false;
    rows.push(row(c.uid, c.modseq, c.flags));
    e.messages++;
    return true;
  }
  if (c.kind === 'flags') {
    const i = lowerBound(rows, c.uid);
    if (rows[i]?.uid !== c.uid) return false;
    rows[i] = row(c.uid, c.modseq, c.flags);
    return true;
  }
  if (c.kind === 'expunge') {
    const gone = new Set(c.uids);
    let w = 0;
    for (let r = 0; r < rows.length; r++) if (!gone.has(rows[r]!.uid)) rows[w++] = rows[r]!;
    const removed = rows.length - w;
    rows.length = w;
    e.messages -= removed;
    return removed === gone.size;
  }
  return false;
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
