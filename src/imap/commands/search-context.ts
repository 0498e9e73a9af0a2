/**
 * CONTEXT=SEARCH / CONTEXT=SORT (RFC 5267 §4): SEARCH or SORT with RETURN (UPDATE) keeps
 * the result and, at the sync points where EXISTS / EXPUNGE are reported, tells the client
 * how it changed:  * ESEARCH (TAG "t") [UID] REMOVETO (pos set) ADDTO (pos set) [COUNT n]
 * - SORT: pos is the 1-based position in the sorted result (REMOVETO as the old result
 *   shrinks, ADDTO where each message now sits); SEARCH: pos 0, the result is unordered.
 * - Expunged messages are not reported again (EXPUNGE / VANISHED already said it).
 * - CANCELUPDATE ends an update; SELECT, EXAMINE, CLOSE and UNSELECT end all of them.
 * At most MAX_CONTEXTS per session (NO [NOUPDATE "tag"] beyond).
 */
import { AUTHED, type ImapCommand, type ImapSession, type SearchContextHandle } from '../session/types.js';
import { ArgCursor } from '../wire/args/cursor.js';
import { atom, respCode, seqSet, type WireValue } from '../wire/encode.js';

export const MAX_CONTEXTS = 16;

export class SearchContext implements SearchContextHandle {
  constructor(
    private readonly s: ImapSession,
    private readonly tag: string,
    private readonly byUid: boolean,
    private readonly ordered: boolean,
    private readonly count: boolean,
    /** the result again: UIDs in result order */
    private readonly compute: () => Promise<number[]>,
    private uids: number[],
  ) {}

  async update(): Promise<WireValue[] | null> {
    const v = this.s.selected;
    if (!v) return null;
    const next = await this.compute();
    const nextSet = new Set(next);
    const num = (u: number) => (this.byUid ? u : v.seqOf(u));
    const items: WireValue[] = [];
    // removals: messages still in the mailbox that left the result; expunged ones silently
    let cur = this.uids.filter((u) => v.seqOf(u) > 0);
    const removed = cur.filter((u) => !nextSet.has(u));
    if (removed.length) {
      if (this.ordered) {
        for (const u of removed) {
          const pos = cur.indexOf(u);
          cur.splice(pos, 1);
          items.push(atom('REMOVETO'), [pos + 1, atom(String(num(u)))]);
        }
      } else items.push(atom('REMOVETO'), [0, seqSet(removed.map(num))]);
    }
    const had = new Set(this.uids);
    const added = next.map((u, i) => [u, i] as const).filter(([u]) => !had.has(u));
    if (added.length) {
      if (this.ordered) for (const [u, i] of added) items.push(atom('ADDTO'), [i + 1, atom(String(num(u)))]);
      else items.push(atom('ADDTO'), [0, seqSet(added.map(([u]) => num(u)))]);
    }
    this.uids = next;
    if (!items.length) return null;
    if (this.count) items.push(atom('COUNT'), next.length);
    return [atom('ESEARCH'), [atom('TAG'), this.tag], ...(this.byUid ? [atom('UID')] : []), ...items];
  }
}

/** registers an UPDATE context for `tag`; false (and NO [NOUPDATE]) when there are too many */
export function keepUpdated(s: ImapSession, tag: string, ctx: SearchContext): boolean {
  if (s.contexts.size >= MAX_CONTEXTS && !s.contexts.has(tag)) {
    s.notice('NO', `At most ${MAX_CONTEXTS} searches are kept up to date; CANCELUPDATE one first`, respCode('NOUPDATE', tag));
    return false;
  }
  s.contexts.set(tag, ctx);
  return true;
}

/** CANCELUPDATE "tag" *(SP "tag") (RFC 5267 §4.3) */
export const cancelUpdateCmd: ImapCommand = {
  name: 'CANCELUPDATE',
  states: AUTHED,
  async run(s, req) {
    const c = new ArgCursor(req.args, 'CANCELUPDATE');
    const tags: string[] = [];
    do tags.push(c.string('tag of a SEARCH or SORT with RETURN (UPDATE)'));
    while (!c.done);
    const unknown = tags.filter((t) => !s.contexts.has(t));
    for (const t of tags) s.contexts.delete(t);
    if (unknown.length) return { status: 'NO', code: respCode('NOUPDATE', unknown[0]!), text: 'No such update' };
  },
};
