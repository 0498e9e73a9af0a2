/**
 * Resolves the wire layer's SearchKey tree (RFC 9051 §6.4.4) into the store's
 * backend-neutral SearchQuery: sequence sets, UID sets, "$" (RFC 5182) and \Recent
 * (RECENT / OLD / NEW, RFC 3501) are turned into UID sets against the session's view,
 * so the store only ever sees UIDs.
 */
import type { SortRow } from '../../store/sort-types.js';
import type { SearchQuery } from '../../store/types.js';
import type { SelectedView } from '../session/selected.js';
import { toUidSet } from '../session/selected.js';
import type { SearchKey } from '../wire/args/search.js';
import { bad } from '../session/types.js';

function uids(list: number[]): SearchQuery {
  return { op: 'uid', set: toUidSet(list) };
}

export function resolveSearch(k: SearchKey, v: SelectedView): SearchQuery {
  switch (k.op) {
    case 'and':
      return { op: 'and', of: k.of.map((x) => resolveSearch(x, v)) };
    case 'or':
      return { op: 'or', of: [resolveSearch(k.of[0], v), resolveSearch(k.of[1], v)] };
    case 'not':
      return { op: 'not', of: resolveSearch(k.of, v) };
    case 'seq':
      return uids(v.seqToUids(k.set));
    case 'uid':
      return uids(v.uidSetToUids(k.set));
    case 'recent': {
      const recent = uids(v.allUids().filter((u) => v.isRecent(u)));
      return k.set ? recent : { op: 'not', of: recent };
    }
    case 'new':
      return { op: 'and', of: [uids(v.allUids().filter((u) => v.isRecent(u))), { op: 'flag', flag: '\\Seen', set: false }] };
    case 'modseq':
      return { op: 'modseq', min: k.min };
    case 'savedatesupported':
      return { op: 'all' }; // every mailbox keeps save dates (RFC 8514 §4.3)
    case 'savedate':
      throw new Error('SAVED* keys are resolved by resolveSaveDates() first');
    default:
      return k;
  }
}

/** true when the tree names message sequence numbers (refused under UIDONLY, RFC 9586 §3.2) */
export function hasSeqKey(k: SearchKey): boolean {
  if (k.op === 'seq') return true;
  if (k.op === 'and' || k.op === 'or') return k.of.some(hasSeqKey);
  if (k.op === 'not') return hasSeqKey(k.of);
  return false;
}

/** BAD [UIDREQUIRED] for sequence numbers in search criteria under UIDONLY */
export function checkUidOnly(s: { uidOnly: boolean }, k: SearchKey): void {
  if (s.uidOnly && hasSeqKey(k)) throw bad('Search criteria use message sequence numbers; UIDONLY is enabled, use UID sets', 'UIDREQUIRED');
}

/** true when the tree has RFC 8514 SAVED* keys (they need the save dates, resolveSaveDates) */
export function hasSaveDate(k: SearchKey): boolean {
  if (k.op === 'savedate') return true;
  if (k.op === 'and' || k.op === 'or') return k.of.some(hasSaveDate);
  if (k.op === 'not') return hasSaveDate(k.of);
  return false;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * RFC 8514 §4.2 SAVEDBEFORE / SAVEDON / SAVEDSINCE become UID sets, from the save dates kept
 * with each message (the date in UTC; a message saved before save dates were kept uses its
 * INTERNALDATE). Call before resolveSearch().
 */
export async function resolveSaveDates(k: SearchKey, load: () => Promise<SortRow[]>): Promise<SearchKey> {
  if (!hasSaveDate(k)) return k;
  const rows = await load();
  const walk = (x: SearchKey): SearchKey => {
    switch (x.op) {
      case 'and':
        return { op: 'and', of: x.of.map(walk) };
      case 'or':
        return { op: 'or', of: [walk(x.of[0]), walk(x.of[1])] };
      case 'not':
        return { op: 'not', of: walk(x.of) };
      case 'savedate': {
        const hit = rows.filter((r) => {
          const d = day(r.saveDate ?? r.internalDate);
          return x.cmp === 'before' ? d < x.date : x.cmp === 'on' ? d === x.date : d >= x.date;
        });
        return { op: 'uid', set: { saved: false, ranges: toUidSet(hit.map((r) => r.uid)).map((u) => (Array.isArray(u) ? u : [u, u])) } };
      }
      default:
        return x;
    }
  };
  return walk(k);
}
