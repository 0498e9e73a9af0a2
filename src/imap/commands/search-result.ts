/**
 * The ESEARCH response (RFC 4731 §3.1, RFC 9051 §7.3.4) shared by SEARCH, SORT (ESORT,
 * RFC 5267 §3) and ESEARCH (RFC 7377): (TAG "t" [MAILBOX m UIDVALIDITY n]) [UID] then MIN / MAX / ALL / COUNT / PARTIAL (RFC 9394) / MODSEQ.
 * SEARCH numbers ascend; for SORT they are in sort order: MIN and MAX are the first and last
 * and ALL keeps it (only ascending runs are compressed).
 */
import { partialSlice, type ResultRange } from '../wire/args/search.js';
import { atom, formatSequenceList, seqSet, type WireValue } from '../wire/encode.js';

export interface ResultOptions {
  tag: string;
  byUid: boolean;
  /** return options asked for (MIN, MAX, ALL, COUNT, PARTIAL), upper-case */
  ret: ReadonlySet<string>;
  partial: ResultRange | null;
  /** the numbers are in sort order (SORT), not ascending (SEARCH) */
  ordered: boolean;
  /** RFC 7162 §3.1.5 MODSEQ, or 0 for none */
  modseq: number;
  /** RFC 6203 §4 RELEVANCY scores (SEARCH with FUZZY), one per number, or null */
  relevancy?: number[] | null;
  /** RFC 7377 §2.1: the mailbox searched (ESEARCH), added to the correlator as MAILBOX and UIDVALIDITY */
  mailbox?: { name: WireValue; uidValidity: number };
}

const set = (nums: readonly number[], ordered: boolean): WireValue => (ordered ? atom(formatSequenceList(nums)) : seqSet(nums));

export function esearchResponse(nums: readonly number[], o: ResultOptions): WireValue[] {
  const correlator: WireValue[] = [atom('TAG'), o.tag];
  if (o.mailbox) correlator.push(atom('MAILBOX'), o.mailbox.name, atom('UIDVALIDITY'), o.mailbox.uidValidity);
  const resp: WireValue[] = [atom('ESEARCH'), correlator];
  if (o.byUid) resp.push(atom('UID'));
  if (nums.length) {
    if (o.ret.has('MIN')) resp.push(atom('MIN'), nums[0]!);
    if (o.ret.has('MAX')) resp.push(atom('MAX'), nums[nums.length - 1]!);
    if (o.ret.has('ALL')) resp.push(atom('ALL'), set(nums, o.ordered));
  }
  if (o.ret.has('COUNT')) resp.push(atom('COUNT'), nums.length);
  if (o.partial) {
    // RFC 9394 §3: PARTIAL (<range> <set>), NIL when the range selects nothing
    const part = partialSlice(nums, o.partial);
    resp.push(atom('PARTIAL'), [atom(o.partial.text), part.length ? set(part, o.ordered) : null]);
  }
  if (o.relevancy) resp.push(atom('RELEVANCY'), o.relevancy);
  if (o.modseq && nums.length) resp.push(atom('MODSEQ'), o.modseq);
  return resp;
}
