/**
 * STATUS arguments (RFC 9051 §6.3.11, §9 "status-att"; RECENT from RFC 3501 §6.3.10;
 * HIGHESTMODSEQ RFC 7162 §3.1.6; APPENDLIMIT RFC 7889 §3; DELETED-STORAGE RFC 9208 §4.1.4):
 *   status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';
import { ArgCursor } from './cursor.js';
import { parseMailboxToken, type NameOptions } from './mailbox.js';

export const STATUS_ITEMS = [
  'MESSAGES',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'DELETED',
  'DELETED-STORAGE', // RFC 9208 §4.1.4
  'SIZE',
  'RECENT',
  'HIGHESTMODSEQ',
  'APPENDLIMIT',
  'MAILBOXID', // RFC 8474 §4.2
] as const;
export type StatusItem = (typeof STATUS_ITEMS)[number];

/** A "(" status-att ... ")" list → items in the client's order, duplicates removed. */
export function parseStatusItems(t: Token | undefined): StatusItem[] {
  if (!t || t.type !== 'list' || t.items.length === 0) bad('Expected a list of status items');
  const out: StatusItem[] = [];
  for (const it of t.items) {
    if (it.type !== 'atom') bad('Bad status item');
    const k = it.value.toUpperCase() as StatusItem;
    if (!(STATUS_ITEMS as readonly string[]).includes(k)) bad(`Unknown status item "${it.value.slice(0, 40)}"`);
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

export interface StatusArgs {
  mailbox: string;
  items: StatusItem[];
}

export function parseStatusArgs(args: readonly Token[], opts: NameOptions): StatusArgs {
  const c = new ArgCursor(args, 'STATUS');
  const mailbox = parseMailboxToken(c.next('mailbox name'), opts);
  const items = parseStatusItems(c.next('status items'));
  c.end();
  return { mailbox, items };
}
