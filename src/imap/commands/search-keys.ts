/**
 * Resolves the wire layer's SearchKey tree (RFC 9051 §6.4.4) into the store's
 * backend-neutral SearchQuery: sequence sets, UID sets, "$" (RFC 5182) and \Recent
 * (RECENT / OLD / NEW, RFC 3501) are turned into UID sets against the session's view,
 * so the store only ever sees UIDs.
 */
import type { SearchQuery } from '../../store/types.js';
import type { SelectedView } from '../session/selected.js';
import { toUidSet } from '../session/selected.js';
import type { SearchKey } from '../wire/args/search.js';

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
    default:
      return k;
  }
}
