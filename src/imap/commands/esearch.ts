/**
 * ESEARCH (RFC 7377 MULTISEARCH): one search over several of the account's mailboxes, named
 * by NOTIFY's mailbox filters (selected, inboxes, personal, subscribed, subtree, subtree-one,
 * mailboxes); without IN, the selected mailbox. One `* ESEARCH (TAG "t" MAILBOX m
 * UIDVALIDITY n) UID ...` per mailbox with matches (mailboxes without any get no response),
 * always by UID. The selected mailbox is searched as SEARCH does, through this session's
 * view; other mailboxes are searched in the store as they are.
 *
 * - Filters cover the account's own mailboxes; another account's mailbox is searched when
 *   "mailboxes" names it in the Other Users namespace and its owner granted the "r" right
 *   (RFC 4314), or when it is the selected one. Names that do not exist, or that the user
 *   may not read, are skipped alike.
 * - Criteria take UIDs: message sequence numbers and "$" mean nothing across mailboxes
 *   (BAD). RECENT matches nothing outside the selected mailbox (\Recent belongs to the
 *   session that selected it). "*" in a UID set is the mailbox's highest UID.
 * - RETURN: MIN, MAX, ALL, COUNT, PARTIAL; SAVE, UPDATE, CONTEXT and RELEVANCY are BAD.
 */
import { MAILBOX_DELIMITER, type MailboxInfo } from '../../store/types.js';
import { hasRight } from '../../store/acl-rights.js';
import { lookupMailbox, parseName } from '../session/access.js';
import { mailboxName } from '../session/names.js';
import { toUidSet, type SelectedView } from '../session/selected.js';
import { AUTHED, bad, type ImapCommand, type ImapSession } from '../session/types.js';
import { parseEsearchArgs } from '../wire/args/esearch.js';
import type { SourceFilter } from '../wire/args/notify.js';
import { searchUsesModseq, type SearchKey } from '../wire/args/search.js';
import { hasSeqKey, resolveKeys, resolveRowKeys, resolveSearch, type KeyScope } from './search-keys.js';
import { esearchResponse } from './search-result.js';

function hasSaved(k: SearchKey): boolean {
  if (k.op === 'uid') return k.set.saved;
  if (k.op === 'and' || k.op === 'or') return k.of.some(hasSaved);
  if (k.op === 'not') return hasSaved(k.of);
  return false;
}

function hasStar(k: SearchKey): boolean {
  if (k.op === 'uid') return !k.set.saved && k.set.ranges.some(([a, b]) => a === '*' || b === '*');
  if (k.op === 'and' || k.op === 'or') return k.of.some(hasStar);
  if (k.op === 'not') return hasStar(k.of);
  return false;
}

/** the scope of a mailbox that is not selected: UID sets as they are ("*" = maxUid), nothing recent */
function detachedScope(maxUid: number): KeyScope {
  return {
    seq: () => {
      throw new Error('sequence numbers are refused before resolveKeys()');
    },
    uid: (set) => {
      if (set.saved) throw bad('"$" is not valid in ESEARCH');
      const ranges = set.ranges.map(([a, b]): [number, number] => {
        const x = a === '*' ? maxUid : a;
        const y = b === '*' ? maxUid : b;
        return x <= y ? [x, y] : [y, x];
      });
      return { op: 'uid', set: ranges.sort((p, q) => p[0] - q[0]) };
    },
    recent: () => null,
  };
}

/** a mailbox to search: its row and the name this session calls it */
interface Source {
  info: MailboxInfo;
  name: string;
}

/** the mailboxes the filters name, in the order named, each once; `selected` marks the selected one */
async function sources(s: ImapSession, filters: SourceFilter[]): Promise<Array<Source | 'selected'>> {
  let all: MailboxInfo[] | null = null;
  const mine = async () => (all ??= await s.ctx.store.listMailboxes(s.accountId));
  const out: Array<Source | 'selected'> = [];
  const seen = new Set<number>();
  const sel = s.selected;
  const add = (m: MailboxInfo, name = m.name) => {
    if (sel && m.accountId === sel.owner && m.id === sel.mailboxId) return addSelected();
    if (seen.has(m.id)) return;
    seen.add(m.id);
    out.push({ info: m, name });
  };
  const addSelected = () => {
    if (!sel || seen.has(-1)) return;
    seen.add(-1);
    out.push('selected');
  };
  for (const f of filters) {
    if (f.kind === 'selected') addSelected();
    else if (f.kind === 'inboxes') (await mine()).filter((m) => m.name === 'INBOX').forEach((m) => add(m));
    else if (f.kind === 'personal') (await mine()).forEach((m) => add(m));
    else if (f.kind === 'subscribed') {
      const subs = new Set(await s.ctx.store.listSubscriptions(s.accountId));
      (await mine()).filter((m) => subs.has(m.name)).forEach((m) => add(m));
    } else if ('names' in f) {
      for (const name of f.names) {
        if (parseName(name).kind !== 'personal') {
          // RFC 4314: another account's mailbox, only by its exact name and with the right to read it
          const a = f.kind === 'mailboxes' ? await lookupMailbox(s, name) : null;
          if (a && hasRight(a.rights, 'r')) add(a.info, a.name);
          continue;
        }
        const below = name + MAILBOX_DELIMITER;
        for (const m of await mine()) {
          if (m.name === name) add(m);
          else if (f.kind !== 'mailboxes' && m.name.startsWith(below) && (f.kind === 'subtree' || !m.name.slice(below.length).includes(MAILBOX_DELIMITER))) add(m);
        }
      }
    }
  }
  return out;
}

export const esearchCmd: ImapCommand = {
  name: 'ESEARCH',
  states: AUTHED,
  progress: true,
  async run(s, req) {
    const args = parseEsearchArgs(req.args, s.names);
    if (hasSeqKey(args.query) || hasSaved(args.query)) throw bad('ESEARCH criteria take UID sets, not message numbers or "$"');
    if (args.ret?.relevancy) throw bad('ESEARCH does not take RELEVANCY');
    const usedModseq = searchUsesModseq(args.query);
    if (usedModseq) s.enabled.add('CONDSTORE');
    const ret = args.ret ? new Set(Object.entries(args.ret).filter(([k, on]) => on && k !== 'partial').map(([k]) => k.toUpperCase())) : new Set(['ALL']);
    const boxes = await sources(s, args.sources);
    const store = s.ctx.store;
    for (let i = 0; i < boxes.length; i++) {
      s.progress(i, boxes.length);
      const b = boxes[i]!;
      let owner: number, id: number, uidValidity: number, name: string, uids: number[];
      if (b === 'selected') {
        const v: SelectedView = s.selected!;
        ({ owner, mailboxId: id, uidValidity, name } = v);
        const q = resolveSearch(await resolveRowKeys(args.query, () => store.sortRows(v.owner, v.mailboxId)), v);
        uids = (await store.search(owner, id, q)).filter((u) => v.seqOf(u) > 0);
      } else {
        ({ accountId: owner, id, uidValidity } = b.info);
        name = b.name;
        const key = await resolveRowKeys(args.query, () => store.sortRows(owner, id));
        const maxUid = hasStar(key) ? ((await store.search(owner, id, { op: 'all' })).at(-1) ?? 0) : 0;
        uids = await store.search(owner, id, resolveKeys(key, detachedScope(maxUid)));
      }
      if (!uids.length) continue;
      let modseq = 0;
      if (usedModseq) for (const m of await store.getMessages(owner, id, toUidSet(uids))) modseq = Math.max(modseq, m.modseq);
      s.untagged(
        ...esearchResponse(uids, {
          tag: req.tag,
          byUid: true,
          ret,
          partial: args.ret?.partial ?? null,
          ordered: false,
          modseq,
          mailbox: { name: mailboxName(s, name), uidValidity },
        }),
      );
    }
  },
};
