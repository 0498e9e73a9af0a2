/**
 * LIST / LSUB arguments (RFC 9051 §6.3.9, §9; RFC 5258 LIST-EXTENDED §3, §6 grammar;
 * RFC 6154 SPECIAL-USE §5; RFC 5819 LIST-STATUS; RFC 3501 §6.3.9 LSUB):
 *   list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
 *   list-select-opts = "(" [list-select-opt *(SP list-select-opt)] ")"
 *       list-select-base-opt = "SUBSCRIBED" / "SPECIAL-USE"; list-select-mod-opt = "RECURSIVEMATCH";
 *       list-select-independent-opt = "REMOTE"
 *   mbox-or-pat = list-mailbox / patterns ; patterns = "(" list-mailbox *(SP list-mailbox) ")"
 *   list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
 *       return-option = "SUBSCRIBED" / "CHILDREN" / "SPECIAL-USE" / "STATUS" SP "(" status-att *(SP status-att) ")"
 *           / "MYRIGHTS" (RFC 8440 §3)
 * Unknown options are BAD (RFC 5258 §3); RECURSIVEMATCH needs a base option (RFC 5258 §3).
 */
import { bad } from '../errors.js';
import { tokenText, type Token } from '../tokens.js';
import { decodeMutf7 } from '../mutf7.js';
import { ArgCursor } from './cursor.js';
import type { NameOptions } from './mailbox.js';
import { parseStatusItems, type StatusItem } from './status.js';

export interface ListSelection {
  subscribed: boolean;
  remote: boolean;
  recursiveMatch: boolean;
  specialUse: boolean;
}

export interface ListReturn {
  subscribed: boolean;
  children: boolean;
  specialUse: boolean;
  /** RFC 5819 LIST-STATUS items, or null */
  status: StatusItem[] | null;
  /** RFC 8440 LIST-MYRIGHTS */
  myRights: boolean;
}

export interface ListArgs {
  /** true when any LIST-EXTENDED syntax was used (selection options, several patterns, RETURN) */
  extended: boolean;
  selection: ListSelection;
  /** decoded reference name (UTF-8) */
  reference: string;
  /** decoded patterns (UTF-8), at least one; "" is the delimiter query */
  patterns: string[];
  ret: ListReturn;
}

function nameText(t: Token | undefined, what: string, opts: NameOptions): string {
  const s = t && t.type !== 'list' && t.type !== 'section' ? tokenText(t) : undefined;
  if (s === undefined) bad(`Expected ${what}`);
  if (opts.utf8) return s;
  // a pattern that is not valid modified UTF-7 is matched as it is (like Dovecot): it can
  // only match names spelled that way, so LIST answers OK with what matches (usually nothing)
  try {
    return decodeMutf7(s);
  } catch {
    return s;
  }
}

export function parseListArgs(args: readonly Token[], opts: NameOptions): ListArgs {
  const c = new ArgCursor(args, 'LIST');
  const selection: ListSelection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
  const ret: ListReturn = { subscribed: false, children: false, specialUse: false, status: null, myRights: false };
  let extended = false;
  const first = c.peek();
  if (first && first.type === 'list') {
    extended = true;
    for (const it of c.list('selection options').items) {
      if (it.type !== 'atom') bad('Bad LIST selection option');
      const k = it.value.toUpperCase();
      if (k === 'SUBSCRIBED') selection.subscribed = true;
      else if (k === 'REMOTE') selection.remote = true;
      else if (k === 'RECURSIVEMATCH') selection.recursiveMatch = true;
      else if (k === 'SPECIAL-USE') selection.specialUse = true;
      else bad(`Unknown LIST selection option "${it.value.slice(0, 40)}"`);
    }
    if (selection.recursiveMatch && !selection.subscribed && !selection.specialUse) {
      bad('RECURSIVEMATCH needs another selection option such as SUBSCRIBED');
    }
  }
  const reference = nameText(c.next('reference name'), 'a reference name', opts);
  const pat = c.next('mailbox pattern');
  let patterns: string[];
  if (pat.type === 'list') {
    extended = true;
    if (pat.items.length === 0) bad('Empty pattern list');
    patterns = pat.items.map((t) => nameText(t, 'a mailbox pattern', opts));
  } else patterns = [nameText(pat, 'a mailbox pattern', opts)];
  if (!c.done) {
    extended = true;
    if (!c.acceptWord('RETURN')) bad('Expected RETURN');
    const r = new ArgCursor(c.list('return options').items, 'LIST RETURN');
    while (!r.done) {
      const k = r.atom('return option').toUpperCase();
      if (k === 'SUBSCRIBED') ret.subscribed = true;
      else if (k === 'CHILDREN') ret.children = true;
      else if (k === 'SPECIAL-USE') ret.specialUse = true;
      else if (k === 'STATUS') ret.status = parseStatusItems(r.next('status items'));
      else if (k === 'MYRIGHTS') ret.myRights = true;
      else bad(`Unknown LIST return option "${k.slice(0, 40)}"`);
    }
    c.end();
  }
  return { extended, selection, reference, patterns, ret };
}

export interface LsubArgs {
  reference: string;
  pattern: string;
}

/** LSUB reference pattern (RFC 3501 §6.3.9). */
export function parseLsubArgs(args: readonly Token[], opts: NameOptions): LsubArgs {
  const c = new ArgCursor(args, 'LSUB');
  const reference = nameText(c.next('reference name'), 'a reference name', opts);
  const pattern = nameText(c.next('mailbox pattern'), 'a mailbox pattern', opts);
  c.end();
  return { reference, pattern };
}
