/**
 * LIST (RFC 9051 §6.3.9) with LIST-EXTENDED (RFC 5258) selection options SUBSCRIBED,
 * RECURSIVEMATCH, SPECIAL-USE, REMOTE and return options SUBSCRIBED, CHILDREN, SPECIAL-USE,
 * STATUS (RFC 5819); LSUB (RFC 3501 §6.3.9) for rev1 clients.
 * \HasChildren/\HasNoChildren and special-use attributes are always returned (RFC 9051
 * allows it; clients expect them). Missing parents of matching names appear as
 * \NonExistent (rev2) or \Noselect (rev1) when "%" would otherwise hide them.
 * Mailboxes other accounts share with the user (the "l" right, RFC 4314 §4) are listed
 * under "Other Users/<owner>/" or, for the domain's shared mailboxes, "Shared/"
 * (../session/access.ts), without their special use; RETURN
 * (MYRIGHTS) adds each listed mailbox's rights (RFC 8440).
 */
import { MAILBOX_DELIMITER, type MailboxInfo } from '../../store/types.js';
import { mailboxName } from '../session/names.js';
import type { ImapSession as Session } from '../session/types.js';
import { AUTHED, type ImapCommand, type Request } from '../session/types.js';
import { parseListArgs, parseLsubArgs } from '../wire/args/list.js';
import { normalizeInbox } from '../wire/args/mailbox.js';
import { joinListReference, listMatcher, parentNames } from '../wire/listmatch.js';
import { statusResponse } from '../session/status.js';
import { astring, atom, type WireValue } from '../wire/encode.js';
import { ALL_RIGHTS, hasRight, renderRights } from '../../store/acl-rights.js';
import { sharedWith } from '../../store/acl.js';
import { nameFor, parseName } from '../session/access.js';

interface Entry {
  name: string;
  attrs: string[];
  info: Box | null;
  childInfo?: boolean;
}

/** a mailbox as listed: the store's info under the name this session uses, with the session's rights */
interface Box {
  name: string;
  info: MailboxInfo;
  rights: string;
  specialUse: MailboxInfo['specialUse'];
}

/** the user's own mailboxes and those shared with it that it may see */
async function visibleMailboxes(s: Session): Promise<Box[]> {
  const own = (await s.ctx.store.listMailboxes(s.accountId)).map((info) => ({ name: info.name, info, rights: ALL_RIGHTS, specialUse: info.specialUse }));
  const shared = (await sharedWith(s.ctx.store, s.account!))
    .filter((m) => hasRight(m.rights, 'l'))
    .map((m) => ({ name: nameFor(s, m.owner, m.mailbox.name), info: m.mailbox, rights: m.rights, specialUse: null }));
  // a personal mailbox spelled like the namespace (made before it existed) is hidden behind it
  return [...own.filter((b) => parseName(b.name).kind === 'personal'), ...shared];
}

async function list(s: Session, req: Request, lsub: boolean): Promise<void> {
  const sel = new Set<string>();
  const ret = new Set<string>();
  let statusItems: string[] | null = null;
  let myRights = false;
  let reference: string;
  let patterns: string[];
  if (lsub) {
    const a = parseLsubArgs(req.args, s.names);
    reference = a.reference;
    patterns = [a.pattern];
  } else {
    const a = parseListArgs(req.args, s.names);
    reference = a.reference;
    patterns = a.patterns;
    if (a.selection.subscribed) sel.add('SUBSCRIBED');
    if (a.selection.recursiveMatch) sel.add('RECURSIVEMATCH');
    if (a.selection.specialUse) sel.add('SPECIAL-USE');
    if (a.ret.subscribed) ret.add('SUBSCRIBED');
    if (a.ret.children) ret.add('CHILDREN');
    if (a.ret.specialUse) ret.add('SPECIAL-USE');
    statusItems = a.ret.status;
    myRights = a.ret.myRights;
  }

  const tag = lsub ? 'LSUB' : 'LIST';
  // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and root
  if (patterns.length === 1 && patterns[0] === '') {
    s.untagged(atom(tag), [atom('\\Noselect')], MAILBOX_DELIMITER, '');
    return;
  }
  const all = await visibleMailboxes(s);
  const byName = new Map(all.map((m) => [m.name, m]));
  const subs = new Set(lsub || sel.has('SUBSCRIBED') || ret.has('SUBSCRIBED') ? await s.ctx.store.listSubscriptions(s.accountId) : []);
  const res = patterns.map((p) => listMatcher(normalizeInbox(joinListReference(reference, p))));
  const matches = (n: string) => res.some((r) => r(n));
  // every name some mailbox lies under: \HasChildren in one lookup (a scan per listed name was quadratic)
  const parents = new Set(all.flatMap((m) => parentNames(m.name)));
  const hasChildren = (n: string) => parents.has(n);

  const entries = new Map<string, Entry>();
  const candidates = lsub || sel.has('SUBSCRIBED') ? [...subs] : all.map((m) => m.name);
  for (const name of candidates) {
    const info = byName.get(name) ?? null;
    if (sel.has('SPECIAL-USE') && !info?.specialUse) continue;
    if (matches(name)) entries.set(name, { name, attrs: [], info });
    // parents that "%" would stop at (RFC 9051 §6.3.9; RFC 5258 §4 CHILDINFO for RECURSIVEMATCH)
    // RFC 5258 §3.5 CHILDINFO: only for a descendant that is not itself listed (it does not match)
    const childInfo = sel.has('RECURSIVEMATCH') && !matches(name);
    for (const p of parentNames(name)) {
      if (!matches(p)) continue;
      const e = entries.get(p);
      if (e) {
        if (childInfo) e.childInfo = true;
        continue;
      }
      if (lsub || sel.has('SUBSCRIBED')) {
        if (childInfo) entries.set(p, { name: p, attrs: [], info: byName.get(p) ?? null, childInfo: true });
        // RFC 3501 §6.3.9: only when the subscribed child itself is not listed ("%" stopped)
        else if (lsub && !subs.has(p) && !matches(name)) entries.set(p, { name: p, attrs: ['\\Noselect'], info: null });
      } else if (!byName.has(p)) entries.set(p, { name: p, attrs: [], info: null });
    }
  }
  // RECURSIVEMATCH may have added parents that are not themselves subscribed: keep only those with child info
  const names = [...entries.keys()].sort((x, y) => (x === 'INBOX' ? -1 : y === 'INBOX' ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const w = s.writer();
  for (const name of names) {
    const e = entries.get(name)!;
    if ((lsub || sel.has('SUBSCRIBED')) && !subs.has(name) && !e.childInfo && !lsub) continue;
    const attrs = [...e.attrs];
    // a subscribed name without a mailbox is \NonExistent in any LIST (RFC 5258 §3.4, which
    // implies \Noselect), whatever the IMAP revision; a missing parent is \Noselect for rev1
    const gone = !e.info && !lsub && subs.has(name);
    if (!e.info && !attrs.includes('\\Noselect')) attrs.push((s.rev2 || gone) && !lsub ? '\\NonExistent' : '\\Noselect');
    if (!lsub) {
      if (e.info || (!s.rev2 && !gone)) attrs.push(hasChildren(name) ? '\\HasChildren' : '\\HasNoChildren');
      if (e.info?.specialUse) attrs.push(e.info.specialUse);
      if ((sel.has('SUBSCRIBED') || ret.has('SUBSCRIBED')) && subs.has(name)) attrs.push('\\Subscribed');
    }
    const resp: WireValue[] = [atom(tag), attrs.map(atom), MAILBOX_DELIMITER, mailboxName(s, name)];
    if (e.childInfo && sel.has('RECURSIVEMATCH')) resp.push(['CHILDINFO', ['SUBSCRIBED']]);
    w.untagged(resp);
    // RFC 5819 §2 and RFC 4314 §4: STATUS only where the user may read
    if (statusItems && e.info && hasRight(e.info.rights, 'r')) await statusResponse(s, w, e.info.info, statusItems, name);
    if (myRights && e.info) w.untagged([atom('MYRIGHTS'), mailboxName(s, name), astring(renderRights(e.info.rights))]);
  }
  s.send(w);
}


export const listCmd: ImapCommand = { name: 'LIST', states: AUTHED, run: (s, r) => list(s, r, false) };
export const lsubCmd: ImapCommand = { name: 'LSUB', states: AUTHED, run: (s, r) => list(s, r, true) };
