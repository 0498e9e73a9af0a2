/**
 * SORT and UID SORT (RFC 5256 §3; RFC 5957 DISPLAYFROM/DISPLAYTO; RFC 5267 §3 ESORT with
 * RETURN (MIN MAX ALL COUNT); RFC 9394 PARTIAL). Matching runs in the store (as SEARCH);
 * the order comes from the sort rows indexed at delivery (src/store/sort-types.ts), so no
 * message body is read. Without RETURN the answer is `* SORT n n ...` in sort order.
 */
import type { SortRow } from '../../store/sort-types.js';
import { sortMessages } from '../sort/sort.js';
import type { SelectedView } from '../session/selected.js';
import { SELECTED, type ImapCommand, type ImapSession, type Request } from '../session/types.js';
import { parseSortArgs } from '../wire/args/sort.js';
import { searchUsesModseq, type SearchKey } from '../wire/args/search.js';
import { atom } from '../wire/encode.js';
import { checkUidOnly, resolveRowKeys, resolveSearch } from './search-keys.js';
import { esearchResponse } from './search-result.js';
import { keepUpdated, SearchContext } from './search-context.js';

/** the sort rows of the messages in this session's view that match `query` */
export async function matchingRows(s: ImapSession, v: SelectedView, query: SearchKey): Promise<SortRow[]> {
  checkUidOnly(s, query);
  const rows = await s.ctx.store.sortRows(s.accountId, v.mailboxId);
  const all = query.op === 'all';
  const q = all ? null : resolveSearch(await resolveRowKeys(query, async () => rows), v);
  const found = q ? new Set(await s.ctx.store.search(s.accountId, v.mailboxId, q)) : null;
  return rows.filter((r) => (!found || found.has(r.uid)) && v.seqOf(r.uid) > 0);
}

async function sort(s: ImapSession, req: Request, byUid: boolean): Promise<void> {
  const args = parseSortArgs(req.args);
  const v = s.selected!;
  if (searchUsesModseq(args.query)) s.enabled.add('CONDSTORE');
  const run = async () => sortMessages(await matchingRows(s, v, args.query), args.criteria).map((r) => r.uid);
  const uids = await run();
  const nums = uids.map((u) => (byUid ? u : v.seqOf(u)));
  if (!args.ret) {
    s.untagged(atom('SORT'), ...nums);
    return;
  }
  // RFC 5267 §4: RETURN (UPDATE) keeps the sorted result up to date (./search-context.ts)
  if (args.ret.update) keepUpdated(s, req.tag, new SearchContext(s, req.tag, byUid, true, args.ret.count, run, uids));
  const ret = new Set(Object.entries(args.ret).filter(([k, on]) => on && k !== 'save' && k !== 'partial').map(([k]) => k.toUpperCase()));
  if (!ret.size && !args.ret.partial) ret.add('ALL');
  s.untagged(...esearchResponse(nums, { tag: req.tag, byUid, ret, partial: args.ret.partial, ordered: true, modseq: 0 }));
}

export const sortCmd: ImapCommand = { name: 'SORT', states: SELECTED, progress: true, sequenceNumbers: true, noExpungeAfter: true, run: (s, r) => sort(s, r, false) };
export const uidSortCmd: ImapCommand = { name: 'UID SORT', states: SELECTED, progress: true, run: (s, r) => sort(s, r, true) };
