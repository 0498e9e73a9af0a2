/**
 * SEARCH keys (RFC 9051 §6.4.4, §9 search-key; RFC 3501 RECENT/NEW/OLD; RFC 7162 MODSEQ;
 * RFC 5182 "$") → the store's backend-neutral SearchQuery. Sequence sets, "$" and \Recent
 * are resolved here against the session's view, so the store only ever sees UIDs.
 *
 * LOCAL until the wire layer offers a search parser (request: `parseSearch(tokens)` →
 * typed tree with sequence sets left unresolved).
 */
import type { SearchQuery } from '../../store/types.js';
import { canonicalFlag, parseDate, parseSeqSet } from '../session/args.js';
import type { SelectedView } from '../session/selected.js';
import { toUidSet } from '../session/selected.js';
import { bad } from '../session/types.js';
import type { Token } from '../wire/tokens.js';

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};
const HEADER_KEYS: Record<string, string> = { BCC: 'bcc', CC: 'cc', FROM: 'from', SUBJECT: 'subject', TO: 'to' };
const DATE_KEYS: Record<string, ['internaldate' | 'sentdate', 'before' | 'on' | 'since']> = {
  BEFORE: ['internaldate', 'before'],
  ON: ['internaldate', 'on'],
  SINCE: ['internaldate', 'since'],
  SENTBEFORE: ['sentdate', 'before'],
  SENTON: ['sentdate', 'on'],
  SENTSINCE: ['sentdate', 'since'],
};

export interface SearchContext {
  view: SelectedView;
  /** true when a MODSEQ key was used (the response then carries MODSEQ) */
  usedModseq: boolean;
}

function str(t: Token | undefined, what: string): string {
  if (!t) throw bad(`Missing ${what}`);
  if (t.type === 'atom' || t.type === 'quoted') return t.value;
  if (t.type === 'literal') return t.value.toString('utf8');
  throw bad(`Expected ${what}`);
}

function uidsQuery(uids: number[]): SearchQuery {
  return { op: 'uid', set: toUidSet(uids) };
}

export class SearchParser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly ctx: SearchContext,
  ) {}

  /** all remaining keys, ANDed */
  parseAll(): SearchQuery {
    const keys: SearchQuery[] = [];
    while (this.i < this.toks.length) keys.push(this.key());
    if (!keys.length) throw bad('SEARCH needs at least one search key');
    return keys.length === 1 ? keys[0] : { op: 'and', of: keys };
  }

  private next(what: string): Token {
    const t = this.toks[this.i++];
    if (!t) throw bad(`Missing ${what}`);
    return t;
  }

  private key(): SearchQuery {
    const t = this.next('search key');
    if (t.type === 'list') {
      const inner = new SearchParser(t.items, this.ctx);
      return inner.parseAll();
    }
    if (t.type !== 'atom') throw bad('Invalid search key');
    const k = t.value.toUpperCase();
    const v = this.ctx.view;
    if (k === 'ALL') return { op: 'all' };
    if (FLAG_KEYS[k]) return { op: 'flag', flag: FLAG_KEYS[k][0], set: FLAG_KEYS[k][1] };
    if (HEADER_KEYS[k]) return { op: 'header', field: HEADER_KEYS[k], value: str(this.next(k), `${k} value`) };
    if (DATE_KEYS[k]) {
      const [op, cmp] = DATE_KEYS[k];
      return { op, cmp, date: parseDate(str(this.next(k), 'date')) };
    }
    switch (k) {
      case 'BODY':
        return { op: 'body', value: str(this.next(k), 'BODY value') };
      case 'TEXT':
        return { op: 'text', value: str(this.next(k), 'TEXT value') };
      case 'HEADER': {
        const field = str(this.next('header field'), 'header field').toLowerCase();
        return { op: 'header', field, value: str(this.next('header value'), 'header value') };
      }
      case 'KEYWORD':
      case 'UNKEYWORD': {
        const flag = canonicalFlag(str(this.next('keyword'), 'keyword'));
        return { op: 'flag', flag, set: k === 'KEYWORD' };
      }
      case 'LARGER':
      case 'SMALLER': {
        const n = str(this.next('size'), 'size');
        if (!/^\d{1,16}$/.test(n)) throw bad(`${k} needs a number`);
        return { op: 'size', cmp: k === 'LARGER' ? 'larger' : 'smaller', n: Number(n) };
      }
      case 'NOT':
        return { op: 'not', of: this.key() };
      case 'OR': {
        const a = this.key();
        const b = this.key();
        return { op: 'or', of: [a, b] };
      }
      case 'UID':
        return uidsQuery(v.uidSetToUids(parseSeqSet(str(this.next('UID set'), 'UID set'))));
      case 'RECENT':
        return uidsQuery(v.allUids().filter((u) => v.isRecent(u)));
      case 'OLD':
        return { op: 'not', of: uidsQuery(v.allUids().filter((u) => v.isRecent(u))) };
      case 'NEW':
        return { op: 'and', of: [uidsQuery(v.allUids().filter((u) => v.isRecent(u))), { op: 'flag', flag: '\\Seen', set: false }] };
      case 'MODSEQ': {
        // RFC 7162 §3.1.5: MODSEQ [entry-name entry-type-req] mod-sequence-valzer
        let n = str(this.next('mod-sequence'), 'mod-sequence');
        if (!/^\d+$/.test(n)) {
          this.next('entry type');
          n = str(this.next('mod-sequence'), 'mod-sequence');
        }
        if (!/^\d{1,16}$/.test(n)) throw bad('MODSEQ needs a number');
        this.ctx.usedModseq = true;
        return { op: 'modseq', min: Number(n) };
      }
    }
    if (/^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(k) || k === '$') {
      return uidsQuery(v.seqToUids(parseSeqSet(k)));
    }
    throw bad(`Unknown search key ${k.slice(0, 30)}`);
  }
}
