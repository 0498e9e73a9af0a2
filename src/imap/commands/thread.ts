/**
 * THREAD and UID THREAD (RFC 5256 §3, §4): ORDEREDSUBJECT, REFERENCES, REFS. The threads are
 * built from the thread rows indexed at delivery (Message-ID, References/In-Reply-To, base
 * subject, sent date: SortOps.threadRows), never from message bodies.
 *   thread-data = "THREAD" [SP 1*thread-list]
 *   thread-list = "(" (thread-members / thread-nested) ")"
 *   thread-members = nz-number *(SP nz-number) [SP thread-nested]
 *   thread-nested = 2*thread-list
 */
import { thread, type ThreadNode } from '../sort/thread.js';
import { SELECTED, type ImapCommand, type ImapSession, type Request } from '../session/types.js';
import { parseThreadArgs } from '../wire/args/sort.js';
import { searchUsesModseq } from '../wire/args/search.js';
import { atom, concat, type WireValue } from '../wire/encode.js';
import { matching } from './sort.js';

/** a thread-list: the chain of single children inline, then 2+ children as nested lists */
function threadList(n: ThreadNode, num: (uid: number) => number): WireValue[] {
  const out: WireValue[] = [];
  let cur: ThreadNode = n;
  for (;;) {
    if (cur.row) out.push(num(cur.row.uid));
    if (cur.children.length !== 1) break;
    cur = cur.children[0]!;
  }
  if (cur.children.length > 1) out.push(concat(cur.children.map((k) => threadList(k, num))));
  return out;
}

async function threadCmd(s: ImapSession, req: Request, byUid: boolean): Promise<void> {
  const args = parseThreadArgs(req.args);
  const v = s.selected!;
  if (searchUsesModseq(args.query)) s.enabled.add('CONDSTORE');
  const rows = await matching(s, v, args.query, s.ctx.store.threadRows(v.owner, v.mailboxId), (r) => r.uid);
  const forest = thread(rows, args.algorithm);
  const num = byUid ? (u: number) => u : v.seqLookup();
  const resp: WireValue[] = [atom('THREAD')];
  if (forest.length) resp.push(concat(forest.map((t) => threadList(t, num))));
  s.untagged(...resp);
}

export const threadCommand: ImapCommand = { name: 'THREAD', states: SELECTED, progress: true, sequenceNumbers: true, noExpungeAfter: true, run: (s, r) => threadCmd(s, r, false) };
export const uidThreadCommand: ImapCommand = { name: 'UID THREAD', states: SELECTED, progress: true, run: (s, r) => threadCmd(s, r, true) };
