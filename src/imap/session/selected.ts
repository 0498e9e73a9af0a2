/**
 * The selected-mailbox view (RFC 9051 §2.3.1.2, §7.5.1): this session's sequence-number ↔
 * UID map and the changes it has not yet told the client about.
 *
 * Invariants:
 * - `uids[0..count)` ascends; sequence number n is uids[n-1]. One Uint32Array, no
 *   per-message objects, so a large mailbox costs 4 bytes per message.
 * - Changes from the bus are only buffered here (ingest); they reach the client at sync
 *   points chosen by the session: ends of commands (without EXPUNGE after FETCH, STORE and
 *   SEARCH by sequence number), NOOP/CHECK, and immediately while IDLE.
 * - Applying changes is idempotent: an "exists" for a UID at or below the highest known
 *   UID and an "expunge" for an unknown UID are ignored, so the same change may arrive both
 *   from a command's own result and from the bus.
 * - The session's own flag changes are not echoed (the command already answered them).
 */
import type { Change, MailboxInfo, UidSet } from '../../store/types.js';
import { ALL_RIGHTS } from '../../store/acl-rights.js';
import type { SequenceSet } from '../wire/args/seqset.js';

export class SelectedView {
  readonly mailboxId: number;
  /** the account the mailbox belongs to (another one's when shared with this session) */
  readonly owner: number;
  /** the mailbox's name as this session calls it (../session/access.ts) */
  readonly name: string;
  /** this session's rights on it (RFC 4314), refreshed before each command when shared */
  rights: string;
  readonly uidValidity: number;
  readonly readOnly: boolean;
  uidNext: number;
  highestModseq: number;
  private uids: Uint32Array;
  private n: number;
  private pending: Change[] = [];
  /**
   * UID ranges that are \Recent for this session (IMAP4rev1 only), flat, ascending and
   * disjoint: [lo0, hi0, lo1, hi1, …]. Numbers only, so the array has one shape whether
   * empty or not: isRecent runs in every FETCH row, and a view with nothing recent after
   * one with ranges (an array of pairs) sent the optimized row loop back to the interpreter
   * in the middle of a large mailbox's first FETCH.
   */
  private recent: number[] = [];
  /** RFC 5182 SEARCHRES: UIDs of the last saved search result */
  saved: number[] = [];
  /** keywords announced in the last FLAGS response (RFC 9051 §7.3.5) */
  readonly keywords = new Set<string>();
  /**
   * UID → MODSEQ of this session's own latest flag change (already answered by its STORE
   * or FETCH). A buffered change from another session with a lower MODSEQ is older than
   * what the client already saw and must not be reported after it.
   */
  private ownFlags = new Map<number, number>();

  constructor(
    info: MailboxInfo,
    uids: Uint32Array,
    readOnly: boolean,
    private readonly sessionId: string,
    access: { name: string; rights: string } = { name: info.name, rights: ALL_RIGHTS },
  ) {
    this.mailboxId = info.id;
    this.owner = info.accountId;
    this.name = access.name;
    this.rights = access.rights;
    this.uidValidity = info.uidValidity;
    this.uidNext = info.uidNext;
    this.highestModseq = info.highestModseq;
    this.readOnly = readOnly;
    this.uids = uids;
    this.n = uids.length;
    if (this.n && uids[this.n - 1] >= this.uidNext) this.uidNext = uids[this.n - 1] + 1;
  }

  get exists(): number {
    return this.n;
  }
  get hasPending(): boolean {
    return this.pending.length > 0;
  }
  get maxUid(): number {
    return this.n ? this.uids[this.n - 1] : 0;
  }
  uidAt(seq: number): number {
    return this.uids[seq - 1];
  }
  /** sequence number of a UID, or 0 when it is not in the view */
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.uids[mid];
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }
  /**
   * seqOf for many lookups in a row (SORT, THREAD of a whole mailbox): a direct table when
   * the UIDs are dense enough (4 bytes per UID up to the largest), else the binary search.
   * Valid until the view changes.
   */
  seqLookup(): (uid: number) => number {
    const max = this.maxUid;
    if (this.n < 1024 || max > 4 * this.n) return (uid) => this.seqOf(uid);
    const table = new Uint32Array(max + 1);
    for (let i = 0; i < this.n; i++) table[this.uids[i]] = i + 1;
    return (uid) => (uid <= max ? table[uid] : 0);
  }
  /** every UID in the view, ascending (a copy) */
  allUids(): number[] {
    return Array.from(this.uids.subarray(0, this.n));
  }

  /** buffers changes for this mailbox (called from the bus listener and after own mutations) */
  ingest(changes: Change[]): void {
    for (const c of changes) {
      if (c.mailboxId !== this.mailboxId) continue;
      if (c.kind === 'flags' && c.origin === this.sessionId) {
        if (c.modseq > this.highestModseq) this.highestModseq = c.modseq;
        if (c.modseq > (this.ownFlags.get(c.uid) ?? 0)) this.ownFlags.set(c.uid, c.modseq);
        continue;
      }
      if (c.kind === 'exists' || c.kind === 'flags' || c.kind === 'expunge') this.pending.push(c);
    }
  }

  addRecent(fromUid: number, toUid: number): void {
    if (fromUid > toUid) return;
    const r = this.recent;
    // usually above every range held: appended (or joined to the last one)
    if (!r.length || fromUid > r[r.length - 1]! + 1) {
      r.push(fromUid, toUid);
      return;
    }
    const pairs: Array<[number, number]> = [[fromUid, toUid]];
    for (let i = 0; i < r.length; i += 2) pairs.push([r[i]!, r[i + 1]!]);
    pairs.sort((a, b) => a[0] - b[0]);
    r.length = 0;
    for (const [lo, hi] of pairs) {
      if (r.length && lo <= r[r.length - 1]! + 1) r[r.length - 1] = Math.max(r[r.length - 1]!, hi);
      else r.push(lo, hi);
    }
  }
  isRecent(uid: number): boolean {
    const r = this.recent;
    for (let i = 0; i < r.length; i += 2) if (uid >= r[i]! && uid <= r[i + 1]!) return true;
    return false;
  }
  /** messages in the view that are \Recent (the ranges are disjoint: each message counted once) */
  recentCount(): number {
    const r = this.recent;
    let c = 0;
    for (let i = 0; i < r.length; i += 2) c += this.lowerBound(r[i + 1]! + 1) - this.lowerBound(r[i]!);
    return c;
  }

  /**
   * Applies buffered changes and returns what to tell the client, in order.
   * Without `expunge`, expunges stay buffered (the messages keep their sequence numbers).
   */
  drain(expunge: boolean): DrainResult {
    const out: DrainResult = { expunged: [], expungedUids: [], newUids: [], flags: [] };
    if (!this.pending.length) return out;
    const keep: Change[] = [];
    const gone = new Set<number>();
    const added: number[] = [];
    let top = this.maxUid;
    for (const c of this.pending) {
      if (c.modseq > this.highestModseq) this.highestModseq = c.modseq;
      if (c.kind === 'exists') {
        if (c.uid > top) {
          added.push(c.uid);
          top = c.uid;
        }
        if (c.uid >= this.uidNext) this.uidNext = c.uid + 1;
      } else if (c.kind === 'flags') {
        out.flags.push({ uid: c.uid, flags: c.flags, modseq: c.modseq });
      } else if (c.kind === 'expunge') {
        if (expunge) for (const u of c.uids) gone.add(u);
        else keep.push(c);
      }
    }
    this.pending = keep;
    if (gone.size) {
      // RFC 9051 §7.5.1 example: ascending, each number valid after the previous EXPUNGE
      const seqs: number[] = [];
      for (const u of gone) {
        const s = this.seqOf(u);
        if (s) seqs.push(s);
      }
      seqs.sort((a, b) => a - b);
      out.expunged = seqs.map((s, i) => s - i);
      out.expungedUids = [...gone].filter((u) => this.seqOf(u) > 0).sort((a, b) => a - b);
      if (seqs.length) this.removeUids(gone);
    }
    for (const u of added) {
      if (gone.has(u)) continue;
      this.push(u);
      out.newUids.push(u);
    }
    // flag updates for messages that are gone by now are dropped; per message only the
    // newest one is told, and none older than the session's own answered change
    const newest = new Map<number, DrainResult['flags'][number]>();
    for (const f of out.flags) {
      if (this.seqOf(f.uid) === 0) continue;
      if (f.modseq < (this.ownFlags.get(f.uid) ?? 0)) continue;
      const prev = newest.get(f.uid);
      if (!prev || f.modseq >= prev.modseq) newest.set(f.uid, f);
    }
    out.flags = out.flags.filter((f) => newest.get(f.uid) === f);
    this.ownFlags.clear();
    return out;
  }

  private push(uid: number): void {
    if (this.n === this.uids.length) {
      const bigger = new Uint32Array(Math.max(16, this.uids.length * 2));
      bigger.set(this.uids);
      this.uids = bigger;
    }
    this.uids[this.n++] = uid;
  }

  private removeUids(gone: Set<number>): void {
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const u = this.uids[r];
      if (!gone.has(u)) this.uids[w++] = u;
    }
    this.n = w;
  }

  /** sequence set → UIDs in the view (RFC 9051 §9 seq-number: "*" is the highest; out of range is an error) */
  seqToUids(set: SequenceSet): number[] {
    if (set.saved) return this.saved.filter((u) => this.seqOf(u) > 0);
    const result = new Set<number>();
    for (const [a0, b0] of set.ranges) {
      const a = a0 === '*' ? this.n : a0;
      const b = b0 === '*' ? this.n : b0;
      const lo = Math.max(1, Math.min(a, b));
      const hi = Math.min(Math.max(a, b), this.n);
      for (let s = lo; s <= hi; s++) result.add(this.uids[s - 1]);
    }
    return [...result].sort((x, y) => x - y);
  }

  /**
   * true when a sequence set names a number beyond EXISTS (RFC 9051 §9: BAD). Ranges with
   * "*" are clipped instead, so "1:*" on an empty mailbox is simply empty.
   */
  seqOutOfRange(set: SequenceSet): boolean {
    if (set.saved) return false;
    return set.ranges.some(([a, b]) => a !== '*' && b !== '*' && (a > this.n || b > this.n));
  }

  /** UID set → UIDs present in the view ("*" is the highest UID in the view) */
  uidSetToUids(set: SequenceSet): number[] {
    if (set.saved) return this.saved.filter((u) => this.seqOf(u) > 0);
    const max = this.maxUid;
    // every UID (1:*, every client's sync): copied at once, no loop to run (or to compile, on a large mailbox's first FETCH)
    if (set.ranges.length === 1 && this.n) {
      const [a, b] = set.ranges[0]!;
      const x = a === '*' ? max : a;
      const y = b === '*' ? max : b;
      if (Math.min(x, y) <= this.uids[0]! && Math.max(x, y) >= max) return this.allUids();
    }
    const ranges = set.ranges
      .map(([a, b]) => {
        const x = a === '*' ? max : a;
        const y = b === '*' ? max : b;
        return x <= y ? [x, y] : [y, x];
      })
      .sort((p, q) => p[0]! - q[0]!);
    const out: number[] = [];
    let last = 0;
    for (const [a, b] of ranges) {
      // ranges may overlap: start after the last UID taken
      for (let i = this.lowerBound(Math.max(a!, last + 1)); i < this.n && this.uids[i]! <= b!; i++) out.push((last = this.uids[i]!));
    }
    return out;
  }

  /** index of the first UID >= uid */
  private lowerBound(uid: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.uids[mid]! < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface DrainResult {
  /** sequence numbers to report as EXPUNGE, in the order to send them */
  expunged: number[];
  /** the same messages by UID, ascending (QRESYNC VANISHED, RFC 7162 §3.2.10) */
  expungedUids: number[];
  newUids: number[];
  flags: Array<{ uid: number; flags: string[]; modseq: number }>;
}

/** compresses ascending UIDs into a UidSet of ranges for the store */
export function toUidSet(uids: number[]): UidSet {
  const out: UidSet = [];
  let i = 0;
  while (i < uids.length) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++;
    out.push(i === j ? uids[i] : [uids[i], uids[j]]);
    i = j + 1;
  }
  return out;
}
