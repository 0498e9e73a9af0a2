/**
 * SearchKey (wire AST, unresolved) → SearchQuery (store contract), given the session's
 * resolution of sequence sets and \Recent (RFC 9051 §6.4.4; RFC 3501 §6.4.4 NEW/OLD/RECENT;
 * RFC 5182 "$"). Pure: the session supplies the lookups from its selected-mailbox view.
 */
import type { SearchQuery, UidSet } from '../../../store/types.js';
import type { SearchKey } from './search.js';
import type { SequenceSet } from './seqset.js';

export interface SearchResolver {
  /** message sequence numbers (or "$") → UIDs, through the session's view */
  seqSet(set: SequenceSet): UidSet;
  /** UID set (or "$") → UIDs ("*" = highest UID in the view) */
  uidSet(set: SequenceSet): UidSet;
  /** UIDs that are \Recent for this session (rev1); [] when none */
  recentUids(): UidSet;
}

export function toStoreQuery(k: SearchKey, r: SearchResolver): SearchQuery {
  switch (k.op) {
    case 'and':
      return { op: 'and', of: k.of.map((x) => toStoreQuery(x, r)) };
    case 'or':
      return { op: 'or', of: [toStoreQuery(k.of[0], r), toStoreQuery(k.of[1], r)] };
    case 'not':
      return { op: 'not', of: toStoreQuery(k.of, r) };
    case 'seq':
      return { op: 'uid', set: r.seqSet(k.set) };
    case 'uid':
      return { op: 'uid', set: r.uidSet(k.set) };
    case 'recent': {
      const q: SearchQuery = { op: 'uid', set: r.recentUids() };
      return k.set ? q : { op: 'not', of: q };
    }
    case 'new':
      return { op: 'and', of: [{ op: 'uid', set: r.recentUids() }, { op: 'flag', flag: '\\Seen', set: false }] };
    case 'modseq':
      return { op: 'modseq', min: k.min };
    default:
      return k;
  }
}
