/**
 * SEARCH and UID SEARCH (RFC 9051 §6.4.4, §7.3.4 ESEARCH; RFC 3501 §6.4.4 SEARCH response
 * for rev1; RFC 4731 RETURN (MIN MAX ALL COUNT SAVE); RFC 5182 SEARCHRES; RFC 7162 §3.1.5
 * MODSEQ; RFC 6203 FUZZY and RETURN (RELEVANCY)). Matching runs in the store; the session resolves numbers and filters the result
 * to its own view (messages it has not announced yet are not returned).
 */
import type { ImapSession as Session } from '../session/types.js';
import { toUidSet } from '../session/selected.js';
import { atom, numberList, type WireValue } from '../wire/encode.js';
import { SELECTED, type ImapCommand, type Request } from '../session/types.js';
import { hasFuzzy, parseSearchArgs, searchUsesModseq, withoutFuzzy } from '../wire/args/search.js';
import { bad } from '../wire/errors.js';
import { checkUidOnly, resolveRowKeys, resolveSearch } from './search-keys.js';
import { esearchResponse } from './search-result.js';
import { keepUpdated, SearchContext } from './search-context.js';

async function search(s: Session, req: Request, byUid: boolean): Promise<void> {
  const args = parseSearchArgs(req.args);
  const v = s.selected!;
  const usedModseq = searchUsesModseq(args.query);
  if (usedModseq) s.enabled.add('CONDSTORE');
  checkUidOnly(s, args.query);
  const run = async (): Promise<number[]> => {
    const q = resolveSearch(await resolveRowKeys(args.query, () => s.ctx.store.sortRows(v.owner, v.mailboxId)), v);
    return (await s.ctx.store.search(v.owner, v.mailboxId, q)).filter((u) => v.seqOf(u) > 0);
  };
  const ret = args.ret ? new Set(Object.entries(args.ret).filter(([, on]) => on).map(([k]) => k.toUpperCase())) : null;
  const ctx = { usedModseq };
  if (args.ret?.relevancy && !hasFuzzy(args.query)) bad('RETURN (RELEVANCY) needs a FUZZY search key (RFC 6203 §4)');
  const uids = await run();
  // RFC 5267 §4: RETURN (UPDATE) keeps the result up to date (./search-context.ts)
  if (args.ret?.update) keepUpdated(s, req.tag, new SearchContext(s, req.tag, byUid, false, args.ret.count, run, uids));
  // RFC 6203 §4: messages that also match the search taken literally score 100, the rest 50
  const literal = args.ret?.relevancy ? await resolveRowKeys(withoutFuzzy(args.query), () => s.ctx.store.sortRows(v.owner, v.mailboxId)) : null;
  const exact = literal ? new Set(await s.ctx.store.search(v.owner, v.mailboxId, resolveSearch(literal, v))) : null;
  const nums = byUid ? uids : uids.map((u) => v.seqOf(u)).sort((a, b) => a - b);
  let modseq = 0;
  if (ctx.usedModseq && uids.length) {
    // RFC 7162 §3.1.5: with only MIN and/or MAX returned, MODSEQ is that of the returned
    // message(s); otherwise the highest of all found
    const sorted = [...uids].sort((a, b) => a - b);
    const only = ret && !ret.has('ALL') && !ret.has('COUNT') && (ret.has('MIN') || ret.has('MAX'));
    const which = only ? [ret.has('MIN') ? sorted[0]! : 0, ret.has('MAX') ? sorted[sorted.length - 1]! : 0].filter((u) => u > 0) : sorted;
    const metas = await s.ctx.store.getMessages(v.owner, v.mailboxId, toUidSet(which));
    for (const m of metas) if (m.modseq > modseq) modseq = m.modseq;
  }
  if (ret?.has('SAVE')) {
    // RFC 5182 §2.1: with MIN or MAX only, only those are saved
    const min = ret.has('MIN') && uids.length ? uids[0] : null;
    const max = ret.has('MAX') && uids.length ? uids[uids.length - 1] : null;
    v.saved = (ret.has('MIN') || ret.has('MAX')) && !ret.has('ALL') && !ret.has('COUNT') ? [min, max].filter((x): x is number => x !== null) : uids;
    ret.delete('SAVE');
    if (!ret.size) return;
  }
  if (!ret && !s.rev2) {
    const resp: WireValue[] = [atom('SEARCH')];
    if (nums.length) resp.push(numberList(nums));
    if (ctx.usedModseq && nums.length) resp.push([atom('MODSEQ'), modseq]);
    s.untagged(...resp);
    return;
  }
  // RFC 6203 §4: one score per message found, in the order of the ALL set
  const order = exact && nums.length ? (byUid ? uids : [...uids].sort((a, b) => v.seqOf(a) - v.seqOf(b))) : null;
  s.untagged(
    ...esearchResponse(nums, {
      tag: req.tag,
      byUid,
      ret: ret ?? new Set(['ALL']),
      partial: args.ret?.partial ?? null,
      ordered: false,
      modseq: ctx.usedModseq ? modseq : 0,
      relevancy: order ? order.map((u) => (exact!.has(u) ? 100 : 50)) : null,
    }),
  );
}

export const searchCmd: ImapCommand = { name: 'SEARCH', states: SELECTED, progress: true, sequenceNumbers: true, noExpungeAfter: true, run: (s, r) => search(s, r, false) };
export const uidSearchCmd: ImapCommand = { name: 'UID SEARCH', states: SELECTED, progress: true, run: (s, r) => search(s, r, true) };
