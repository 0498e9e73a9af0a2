/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9, §7.5.2; RFC 3516 BINARY; RFC 7162 §3.1.4
 * CHANGEDSINCE/MODSEQ, §3.2.6 VANISHED). Three steps, each in its own file:
 *   plan   (./fetch-plan.ts)   what the items need, decided once;
 *   read   (./fetch-read.ts)   one batch from the store (+ \Seen for BODY[] without PEEK);
 *   render (./fetch-render.ts) each message's `* n FETCH (...)` into the batch's writer.
 * A batch's responses leave in one write per ~256 KiB; above that the command waits for the
 * socket to drain, so a FETCH of a large mailbox holds one batch of metadata and one message.
 */
import { SELECTED, bad, type ImapCommand, type ImapSession, type Request, type Tagged } from '../session/types.js';
import { isKeyword } from '../session/flags.js';
import { parseFetchArgs, type FetchAtt } from '../wire/args/fetch.js';
import { atom, respCode, seqSet } from '../wire/encode.js';
import { planFetch } from './fetch-plan.js';
import { readBatch } from './fetch-read.js';
import { renderMessage } from './fetch-render.js';

/** write and wait for drain once this much output is gathered */
const CORK_LIMIT = 256 * 1024;
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
    const gone = (await s.ctx.store.expungedSince(s.accountId, v.mailboxId, args.changedSince)).filter((u) =>
      ranges.some(([a, b]) => u >= a && u <= b),
    );
    if (gone.length) s.untagged(atom('VANISHED'), [atom('EARLIER')], seqSet(gone));
  }
  let missing = 0;
  let undecodable = false;
  const w = s.writer();
  const send = async () => {
    s.send(w);
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
      for await (const r of batch.rows) rows.push(r.meta.uid);
      for (const u of rows.sort((a, b) => a - b)) {
        const seq = v.seqOf(u);
        if (seq) s.fetchResponse(w, u, [['UID', u]]);
      }
      await send();
      continue;
    }
    // anything else about such a message is gone → NO [EXPUNGEISSUED]
    if (!plan.uidOnly) missing += batch.gone.length;
    for await (const row of batch.rows) {
      const seq = v.seqOf(row.meta.uid);
      if (!seq) continue;
      const atts = !plan.flagsAsked && row.seenNow ? [...plan.atts, FLAGS_ATT] : plan.atts;
      if (atts.some((a) => a.type === 'FLAGS') && row.meta.flags.some((f) => isKeyword(f) && !v.keywords.has(f))) {
        // the FLAGS announcement goes after the responses gathered so far
        await send();
        s.announceKeywords(row.meta.flags);
      }
      const head = s.uidOnly ? { num: row.meta.uid, keyword: 'UIDFETCH' as const } : { num: seq, keyword: 'FETCH' as const };
      if (!renderMessage(w, head, atts, row, { utf8: s.utf8, recent: !s.rev2 && v.isRecent(row.meta.uid) })) undecodable = true;
      if (w.size > CORK_LIMIT) await send();
    }
    missing += batch.missing;
    await send();
  }
  if (undecodable) return { status: 'NO', code: respCode('UNKNOWN-CTE'), text: 'Some parts have a transfer encoding that cannot be decoded' };
  if (missing) return { status: 'NO', code: respCode('EXPUNGEISSUED'), text: 'Some of the requested messages no longer exist' };
}

export const fetchCmd: ImapCommand = { name: 'FETCH', states: SELECTED, progress: true, sequenceNumbers: true, noExpungeAfter: true, run: (s, r) => fetch(s, r, false) };
export const uidFetchCmd: ImapCommand = { name: 'UID FETCH', states: SELECTED, progress: true, run: (s, r) => fetch(s, r, true) };
