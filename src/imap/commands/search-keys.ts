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
import type { SequenceSet } from '../wire/args/seqset.js';
import { bad } from '../session/types.js';

function uids(list: number[]): SearchQuery {
  return { op: 'uid', set: toUidSet(list) };
}

const NOTHING: SearchQuery = { op: 'not', of: { op: 'all' } };

/**
 * What the set keys mean where a search runs: the selected mailbox's view, or a mailbox
 * searched without selecting it (ESEARCH IN, RFC 7377). `recent` is null when no message
 * can be \Recent there.
 */
export interface KeyScope {
  seq(set: SequenceSet): SearchQuery;
  uid(set: SequenceSet): SearchQuery;
  recent(): SearchQuery | null;
}

/** the scope of the selected mailbox: sequence numbers, UIDs and \Recent from the session's view */
export function viewScope(v: SelectedView): KeyScope {
  return {
    seq: (set) => uids(v.seqToUids(set)),
    uid: (set) => uids(v.uidSetToUids(set)),
    recent: () => uids(v.allUids().filter((u) => v.isRecent(u))),
  };
}

export function resolveSearch(k: SearchKey, v: SelectedView): SearchQuery {
  return resolveKeys(k, viewScope(v));
}

export function resolveKeys(k: SearchKey, scope: KeyScope): SearchQuery {
  switch (k.op) {
    case 'and':
      return { op: 'and', of: k.of.map((x) => resolveKeys(x, scope)) };
    case 'or':
      return { op: 'or', of: [resolveKeys(k.of[0], scope), resolveKeys(k.of[1], scope)] };
    case 'not':
      return { op: 'not', of: resolveKeys(k.of, scope) };
    case 'seq':
      return scope.seq(k.set);
    case 'uid':
      return scope.uid(k.set);
    case 'recent': {
      const recent = scope.recent();
      if (!recent) return k.set ? NOTHING : { op: 'all' };
      return k.set ? recent : { op: 'not', of: recent };
    }
    case 'new': {
      const recent = scope.recent();
      return recent ? { op: 'and', of: [recent, { op: 'flag', flag: '\\Seen', set: false }] } : NOTHING;
    }
    case 'modseq':
      return { op: 'modseq', min: k.min };
    case 'savedatesupported':
      return { op: 'all' }; // every mailbox keeps save dates (RFC 8514 §4.3)
    case 'savedate':
    case 'within':
      throw new Error('SAVED*, OLDER and YOUNGER are resolved by resolveRowKeys() first');
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

/** true when the tree has keys answered from the sort rows (RFC 8514 SAVED*, RFC 5032 OLDER/YOUNGER; resolveRowKeys) */
export function hasRowKey(k: SearchKey): boolean {
  if (k.op === 'savedate' || k.op === 'within') return true;
  if (k.op === 'and' || k.op === 'or') return k.of.some(hasRowKey);
  if (k.op === 'not') return hasRowKey(k.of);
  return false;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Keys the store's SearchQuery has no term for become UID sets, from the rows kept with
 * each message (../../store/sort-types.ts): RFC 8514 §4.2 SAVEDBEFORE / SAVEDON / SAVEDSINCE
 * by the save date (the date in UTC; a message saved before save dates were kept uses its
 * INTERNALDATE), and RFC 5032 OLDER / YOUNGER by INTERNALDATE against `now` to the second.
 * Call before resolveSearch().
 */
export async function resolveRowKeys(k: SearchKey, load: () => Promise<SortRow[]>, now = Date.now()): Promise<SearchKey> {
  if (!hasRowKey(k)) return k;
  const rows = await load();
  const set = (hit: SortRow[]): SearchKey => ({
    op: 'uid',
    set: { saved: false, ranges: toUidSet(hit.map((r) => r.uid)).map((u) => (Array.isArray(u) ? u : [u, u])) },
  });
  const walk = (x: SearchKey): SearchKey => {
    switch (x.op) {
      case 'and':
        return { op: 'and', of: x.of.map(walk) };
      case 'or':
        return { op: 'or', of: [walk(x.of[0]), walk(x.of[1])] };
      case 'not':
        return { op: 'not', of: walk(x.of) };
      case 'savedate':
        return set(
          rows.filter((r) => {
            const d = day(r.saveDate ?? r.internalDate);
            return x.cmp === 'before' ? d < x.date : x.cmp === 'on' ? d === x.date : d >= x.date;
          }),
        );
      case 'within': {
        // RFC 5032 §3: OLDER n = INTERNALDATE more than n seconds ago; YOUNGER n = within the last n seconds
        const cut = now - x.seconds * 1000;
        return set(rows.filter((r) => (x.older ? r.internalDate < cut : r.internalDate >= cut)));
      }
      default:
        return x;
    }
  };
  return walk(k);
}
