/**
 * NOTIFY arguments (RFC 5465 §8):
 *   notify          = "NOTIFY" SP (notify-set / notify-none)
 *   notify-set      = "SET" [SP status-indicator] SP event-groups     status-indicator = "(" "STATUS" ")"
 *   event-group     = "(" filter-mailboxes SP events ")"
 *   filter-mailboxes = "selected" / "selected-delayed" / "inboxes" / "personal" / "subscribed"
 *                    / "subtree" SP one-or-more-mailbox / "mailboxes" SP one-or-more-mailbox
 *   events          = ("(" event *(SP event) ")") / "NONE"
 *   event           = "MessageNew" [SP "(" fetch-att *(SP fetch-att) ")"] / "MessageExpunge"
 *                   / "FlagChange" / "AnnotationChange" / "MailboxName" / "SubscriptionChange"
 *                   / "MailboxMetadataChange" / "ServerMetadataChange"
 * Events this server cannot deliver are reported by the command (NO [BADEVENT]); syntax is BAD.
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';
import { ArgCursor } from './cursor.js';
import { parseFetchAtt, type FetchAtt } from './fetch.js';
import { parseMailboxToken, type NameOptions } from './mailbox.js';

export const NOTIFY_EVENTS = [
  'MessageNew',
  'MessageExpunge',
  'FlagChange',
  'AnnotationChange',
  'MailboxName',
  'SubscriptionChange',
  'MailboxMetadataChange',
  'ServerMetadataChange',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export type NotifyFilter =
  | { kind: 'selected'; delayed: boolean }
  | { kind: 'inboxes' | 'personal' | 'subscribed' }
  | { kind: 'subtree' | 'mailboxes'; names: string[] };

export interface NotifyGroup {
  filter: NotifyFilter;
  /** empty for NONE */
  events: Set<NotifyEvent>;
  /** MessageNew's fetch attributes (RFC 5465 §5.2), selected mailbox only */
  fetch: FetchAtt[];
}

export type NotifyArgs = { none: true } | { none: false; status: boolean; groups: NotifyGroup[] };

/** at most this many event groups and mailboxes per NOTIFY */
const MAX_GROUPS = 32;
const MAX_NAMES = 1000;

function mailboxes(t: Token, opts: NameOptions): string[] {
  const list = t.type === 'list' ? t.items : [t];
  if (!list.length) bad('Empty mailbox list');
  if (list.length > MAX_NAMES) bad(`At most ${MAX_NAMES} mailboxes per filter`);
  return list.map((x) => parseMailboxToken(x, opts));
}

/** a mailbox filter with RFC 7377's "subtree-one" (the mailbox and its direct children), which ESEARCH adds */
export type SourceFilter = NotifyFilter | { kind: 'subtree-one'; names: string[] };

/**
 * One filter-mailboxes (RFC 5465 §8) from `c`: its keyword and, for subtree / mailboxes
 * (and subtree-one when `subtreeOne`, RFC 7377 §2), the mailbox or list of mailboxes after it.
 */
export function parseMailboxFilter(c: ArgCursor, opts: NameOptions, subtreeOne: boolean): SourceFilter {
  const f = c.atom('mailbox filter').toLowerCase();
  if (f === 'selected' || f === 'selected-delayed') return { kind: 'selected', delayed: f === 'selected-delayed' };
  if (f === 'inboxes' || f === 'personal' || f === 'subscribed') return { kind: f };
  if (f === 'subtree' || f === 'mailboxes' || (subtreeOne && f === 'subtree-one')) return { kind: f, names: mailboxes(c.next('mailboxes'), opts) };
  bad(`Unknown mailbox filter "${f.slice(0, 40)}"`);
}

function group(t: Token, opts: NameOptions): NotifyGroup {
  if (t.type !== 'list') bad('NOTIFY event groups are parenthesized');
  const c = new ArgCursor(t.items, 'NOTIFY event group');
  const filter = parseMailboxFilter(c, opts, false) as NotifyFilter;
  const ev = c.next('events');
  c.end();
  const events = new Set<NotifyEvent>();
  const fetch: FetchAtt[] = [];
  if (ev.type === 'atom' && ev.value.toUpperCase() === 'NONE') return { filter, events, fetch };
  if (ev.type !== 'list' || !ev.items.length) bad('NOTIFY events: a parenthesized list or NONE');
  for (let i = 0; i < ev.items.length; i++) {
    const e = ev.items[i]!;
    if (e.type !== 'atom') bad('Bad NOTIFY event');
    const name = NOTIFY_EVENTS.find((n) => n.toLowerCase() === e.value.toLowerCase());
    if (!name) bad(`Unknown NOTIFY event "${e.value.slice(0, 40)}"`);
    events.add(name);
    const next = ev.items[i + 1];
    if (name === 'MessageNew' && next?.type === 'list') {
      if (filter.kind !== 'selected') bad('MessageNew fetch attributes are only for the selected mailbox');
      for (const a of next.items) fetch.push(parseFetchAtt(a));
      i++;
    }
  }
  // RFC 5465 §5: MessageNew and MessageExpunge go together; FlagChange needs both
  if (events.has('MessageNew') !== events.has('MessageExpunge')) bad('MessageNew and MessageExpunge must be given together');
  if (events.has('FlagChange') && !events.has('MessageNew')) bad('FlagChange needs MessageNew and MessageExpunge');
  return { filter, events, fetch };
}

export function parseNotifyArgs(args: readonly Token[], opts: NameOptions): NotifyArgs {
  const c = new ArgCursor(args, 'NOTIFY');
  const word = c.atom('SET or NONE').toUpperCase();
  if (word === 'NONE') {
    c.end();
    return { none: true };
  }
  if (word !== 'SET') bad('NOTIFY takes SET or NONE');
  let status = false;
  const first = c.peek();
  if (first?.type === 'list' && first.items.length === 1 && first.items[0]!.type === 'atom' && first.items[0]!.value.toUpperCase() === 'STATUS') {
    status = true;
    c.next('STATUS');
  }
  const groups: NotifyGroup[] = [];
  while (!c.done) {
    if (groups.length >= MAX_GROUPS) bad(`At most ${MAX_GROUPS} NOTIFY event groups`);
    groups.push(group(c.next('event group'), opts));
  }
  if (!groups.length) bad('NOTIFY SET needs at least one event group');
  return { none: false, status, groups };
}
