/**
 * SORT and UID SORT (RFC 5256 §3; RFC 5957 DISPLAYFROM/DISPLAYTO; RFC 5267 §3 ESORT with
 * RETURN (MIN MAX ALL COUNT); RFC 9394 PARTIAL). Matching runs in the store (as SEARCH), and
 * so does the order (SortOps.sortUids over the keys indexed at delivery,
 * src/store/sort-types.ts): no message body is read, and the session only filters the
 * ordered UIDs. Without RETURN the answer is `* SORT n n ...` in sort order.
 */
import type { SelectedView } from '../session/selected.js';
import { SELECTED, type ImapCommand, type ImapSession, type Request } from '../session/types.js';
import { parseSortArgs } from '../wire/args/sort.js';
import { searchUsesModseq, type SearchKey } from '../wire/args/search.js';
import { atom, numberList } from '../wire/encode.js';
import { checkUidOnly, resolveRowKeys, resolveSearch } from './search-keys.js';
import { esearchResponse } from './search-result.js';
import { keepUpdated, SearchContext } from './search-context.js';

/**
 * Of `items` (messages of the mailbox as the store listed them, in any order), those in this
 * session's view that match `query`, in their order. The search runs before the caller's
 * listing is used, so a message delivered meanwhile is simply not in the view yet.
 */
export async function matching<T>(s: ImapSession, v: SelectedView, query: SearchKey, items: Promise<T[]>, uidOf: (x: T) => number): Promise<T[]> {
  checkUidOnly(s, query);
  const q = query.op === 'all' ? null : resolveSearch(await resolveRowKeys(query, () => s.ctx.store.sortRows(v.owner, v.mailboxId)), v);
  const found = q ? new Set(await s.ctx.store.search(v.owner, v.mailboxId, q)) : null;
  const list = await items;
  const seqOf = v.seqLookup();
  const out: T[] = [];
  for (const x of list) {
    const u = uidOf(x);
    if ((!found || found.has(u)) && seqOf(u) > 0) out.push(x);
  }
  return out;
}

async function sort(s: ImapSession, req: Request, byUid: boolean): Promise<void> {
  const args = parseSortArgs(req.args);
  const v = s.selected!;
  if (searchUsesModseq(args.query)) s.enabled.add('CONDSTORE');
  const run = () => matching(s, v, args.query, s.ctx.store.sortUids(v.owner, v.mailboxId, args.criteria), (u) => u);
  const uids = await run();
  const seqOf = byUid ? null : v.seqLookup();
  const nums = seqOf ? uids.map(seqOf) : uids;
  if (!args.ret) {
    s.untagged(atom('SORT'), ...(nums.length ? [numberList(nums)] : []));
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
