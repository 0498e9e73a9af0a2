/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9, §7.5.2; RFC 3516 BINARY; RFC 7162 §3.1.4
 * CHANGEDSINCE/MODSEQ, §3.2.6 VANISHED). Three steps, each in its own file:
 *   plan   (./fetch-plan.ts)   what the items need, decided once;
 *   read   (./fetch-read.ts)   one batch from the store (+ \Seen for BODY[] without PEEK);
 *   render (./fetch-render.ts) each message's `* n FETCH (...)` into the batch's writer.
 * Responses leave in writes that grow from 16 KiB to 256 KiB (writeLimit()); after each the
 * command waits for the socket to drain, so a FETCH of a large mailbox holds one batch of
 * metadata and one message. The small first write lets the client start reading while the
 * rest is rendered: a 10,000-message "UID FETCH 1:* (UID FLAGS)" (400 KB) used to leave
 * 256 KiB at once after rendering it, and the client's reading then came on top of the
 * server's rendering instead of beside it.
 */
import { SELECTED, bad, type ImapCommand, type ImapSession, type Request, type Tagged } from '../session/types.js';
import type { SelectedView } from '../session/selected.js';
import { isKeyword } from '../session/flags.js';
import { parseFetchArgs, type FetchAtt } from '../wire/args/fetch.js';
import { atom, respCode, seqSet, type WireWriter } from '../wire/encode.js';
import { planFetch, type FetchPlan } from './fetch-plan.js';
import { readBatch, type FetchRow } from './fetch-read.js';
import { renderMessage } from './fetch-render.js';

/** the first write of a FETCH's responses leaves once this much output is gathered */
const FIRST_WRITE = 16 * 1024;
/** later writes double in size up to this much (fewer, larger writes for long responses) */
const CORK_LIMIT = 256 * 1024;

/** how much output to gather before the write after one of `limit` bytes (FIRST_WRITE … CORK_LIMIT) */
export function writeLimit(limit: number): number {
  return limit <= 0 ? FIRST_WRITE : Math.min(limit * 2, CORK_LIMIT);
}
const FLAGS_ATT: FetchAtt = { type: 'FLAGS' };

async function fetch(s: ImapSession, req: Request, byUid: boolean): Promise<Tagged | void> {
  const args = parseFetchArgs(req.args, { uid: byUid });
  if (args.vanished && !s.qresync) throw bad('VANISHED needs ENABLE QRESYNC first');
  const v = s.selected!;
  if (!byUid && v.seqOutOfRange(args.set)) throw bad('Sequence number out of range (see EXISTS)');
  const plan = planFetch(s, args);
  const uids = byUid ? v.uidSetToUids(args.set) : v.seqToUids(args.set);
  if (args.vanished && args.changedSince !== null && !args.set.saved) {
    // RFC 7162 §3.2.6: UIDs in the requested set expunged since CHANGEDSINCE, before the FETCH data
    const ranges = args.set.ranges.map(([a, b]) => [a === '*' ? Infinity : a, b === '*' ? Infinity : b].sort((x, y) => x - y));
    const gone = (await s.ctx.store.expungedSince(v.owner, v.mailboxId, args.changedSince)).filter((u) =>
      ranges.some(([a, b]) => u >= a && u <= b),
    );
    if (gone.length) s.untagged(atom('VANISHED'), [atom('EARLIER')], seqSet(gone));
  }
  let missing = 0;
  const w = s.writer();
  const out = new RowWriter(s, plan, w);
  const send = async () => {
    s.send(w);
    out.limit = writeLimit(out.limit);
    await s.flush();
  };
  for (let i = 0; i < uids.length; i += plan.batch) {
    if (s.isClosed) return;
    s.progress(i, uids.length);
    const batch = await readBatch(s, plan, uids.slice(i, i + plan.batch));
    if (plan.uidOnly && batch.gone.length) {
      // expunged by another session but not yet announced here: the UID is still known from
      // this session's view, so a FETCH of UIDs only is answered in full (as Dovecot does)
      const rows: number[] = [...batch.gone];
      for (const r of batch.rows) rows.push(r.meta.uid);
      for (const u of rows.sort((a, b) => a - b)) {
        const seq = v.seqOf(u);
        if (seq) s.fetchResponse(w, u, [['UID', u]]);
      }
      await send();
      continue;
    }
    // anything else about such a message is gone → NO [EXPUNGEISSUED]
    if (!plan.uidOnly) missing += batch.gone.length;
    const rows = batch.rows;
    if (!plan.needRaw) {
      for (let r = 0; r < rows.length; ) {
        r = out.rows(rows, r);
        if (w.size > out.limit) await send();
      }
    } else {
      for (const row of rows) {
        if (!(await batch.fill(row))) continue;
        out.row(row);
        row.raw = null; // one body at a time
        if (w.size > out.limit) await send();
      }
    }
    missing += batch.missing;
    await send();
  }
  const undecodable = out.undecodable;
  if (undecodable) return { status: 'NO', code: respCode('UNKNOWN-CTE'), text: 'Some parts have a transfer encoding that cannot be decoded' };
  if (missing) return { status: 'NO', code: respCode('EXPUNGEISSUED'), text: 'Some of the requested messages no longer exist' };
}

/**
 * The per-message part of the render step: sequence number, keyword announcement, \\Recent,
 * then the response. Synchronous and small, so V8 optimizes it on its own quickly; the
 * command above (async, long) would take tens of milliseconds to optimize as one function.
 */
class RowWriter {
  /** sequence number of the last row: rows ascend by UID as the view does, so the next is usually seq + 1 */
  private seq = 0;
  /** some part had a transfer encoding BINARY cannot decode */
  undecodable = false;
  /** output gathered before the next write (writeLimit()) */
  limit = writeLimit(0);
  private readonly v: SelectedView;
  private readonly uidOnly: boolean;
  private readonly keyword: 'FETCH' | 'UIDFETCH';
  private readonly rev1: boolean;
  private readonly withFlags: FetchAtt[];
  private readonly head: { num: number; keyword: 'FETCH' | 'UIDFETCH' };
  private readonly opts: { utf8: boolean; recent: boolean };

  constructor(
    private readonly s: ImapSession,
    private readonly plan: FetchPlan,
    private readonly w: WireWriter,
  ) {
    this.v = s.selected!;
    this.uidOnly = s.uidOnly;
    this.keyword = this.uidOnly ? 'UIDFETCH' : 'FETCH';
    this.rev1 = !s.rev2;
    this.withFlags = plan.flagsAsked ? plan.atts : [...plan.atts, FLAGS_ATT];
    this.head = { num: 0, keyword: this.keyword };
    this.opts = { utf8: s.utf8, recent: false };
  }

  /** renders rows[i…] until the writer holds more than `limit` bytes; returns the index to go on from */
  rows(rows: readonly FetchRow[], i: number): number {
    if (this.plan.metaOrder !== null) return this.metaRows(rows, i, this.plan.metaOrder);
    for (; i < rows.length; i++) {
      this.row(rows[i]!);
      if (this.w.size > this.limit) return i + 1;
    }
    return i;
  }

  /** rows() of a UID/FLAGS/MODSEQ-only FETCH: the same steps as row(), in one small loop */
  private metaRows(rows: readonly FetchRow[], i: number, order: string): number {
    const v = this.v;
    const w = this.w;
    for (; i < rows.length; i++) {
      const row = rows[i]!;
      const m = row.meta;
      const uid = m.uid;
      const seq = this.seq && v.uidAt(this.seq + 1) === uid ? this.seq + 1 : v.seqOf(uid);
      if (!seq) continue;
      this.seq = seq;
      if (this.plan.flagsAsked && m.flags.length && hasNewKeyword(m.flags, v.keywords)) this.announce(m.flags);
      w.fetchMeta(this.uidOnly ? uid : seq, this.keyword, order, uid, m.flags, this.rev1 && v.isRecent(uid), m.modseq);
      if (w.size > this.limit) return i + 1;
    }
    return i;
  }

  /** the FLAGS announcement goes after the responses gathered so far */
  private announce(flags: readonly string[]): void {
    this.s.send(this.w);
    this.s.announceKeywords(flags);
  }

  /** one row (its bytes read already when the plan needs them) */
  row(row: FetchRow): void {
    if (this.plan.metaOrder !== null) {
      this.metaRows([row], 0, this.plan.metaOrder);
      return;
    }
    const v = this.v;
    const m = row.meta;
    const uid = m.uid;
    const seq = this.seq && v.uidAt(this.seq + 1) === uid ? this.seq + 1 : v.seqOf(uid);
    if (!seq) return;
    this.seq = seq;
    if ((this.plan.flagsAsked || row.seenNow) && m.flags.length && hasNewKeyword(m.flags, v.keywords)) this.announce(m.flags);
    this.head.num = this.uidOnly ? uid : seq;
    this.opts.recent = this.rev1 && v.isRecent(uid);
    if (!renderMessage(this.w, this.head, row.seenNow ? this.withFlags : this.plan.atts, row, this.opts)) this.undecodable = true;
  }
}

/** a keyword in `flags` that the client was not told about in a FLAGS response yet */
function hasNewKeyword(flags: readonly string[], known: ReadonlySet<string>): boolean {
  for (let i = 0; i < flags.length; i++) if (isKeyword(flags[i]!) && !known.has(flags[i]!)) return true;
  return false;
}

export const fetchCmd: ImapCommand = { name: 'FETCH', states: SELECTED, progress: true, sequenceNumbers: true, noExpungeAfter: true, run: (s, r) => fetch(s, r, false) };
export const uidFetchCmd: ImapCommand = { name: 'UID FETCH', states: SELECTED, progress: true, run: (s, r) => fetch(s, r, true) };
