/**
 * NOTIFY (RFC 5465): what this session asked to be told, and the responses for mailboxes
 * other than the selected one. The session pushes them whenever no command is running (and
 * during IDLE), and at the end of every command:
 * - message events in another mailbox → `* STATUS name (MESSAGES UIDNEXT UNSEEN [HIGHESTMODSEQ])`
 *   (FlagChange alone → UNSEEN [HIGHESTMODSEQ]) (§5.2, §5.3);
 * - MailboxName → `* LIST` for a new name, `\NonExistent` for a deleted one, and the new name
 *   with ("OLDNAME" (old)) after RENAME (§5.4, RFC 5258 §3.2);
 * - SubscriptionChange → `* LIST` with or without \Subscribed (§5.5), for this session's own
 *   (UN)SUBSCRIBE (other sessions' subscriptions are not published by the store);
 * - MailboxMetadataChange → `* METADATA name entry...` (RFC 5464 §4.4.2, the names only),
 *   for the mailboxes the filters cover, the selected one included (§5.7);
 *   ServerMetadataChange → `* METADATA "" entry...` when any group asks for it (§5.8).
 *   Changes this session made itself are not echoed (the client knows them).
 * The selected mailbox is reported by the session's sync (EXPUNGE held back under
 * SELECTED-DELAYED) and MessageNew's fetch attributes by the NOTIFY command's callback.
 */
import { MAILBOX_DELIMITER, type Change, type MailboxInfo } from '../../store/types.js';
import type { NotifyArgs, NotifyGroup } from '../wire/args/notify.js';
import { astring, atom, type WireValue } from '../wire/encode.js';
import { mailboxName } from './names.js';
import { statusResponse } from './status.js';
import type { ImapSession, NotifierHandle } from './types.js';

export type NotifySpec = Extract<NotifyArgs, { none: false }>;

export class Notifier implements NotifierHandle {
  /** non-selected mailboxes with message changes (true) or only flag changes (false) */
  private readonly boxes = new Map<number, boolean>();
  private readonly names: Change[] = [];
  private readonly subscriptions: Array<{ name: string; on: boolean }> = [];
  private readonly metadata: Array<Extract<Change, { kind: 'metadata' }>> = [];

  constructor(
    readonly spec: NotifySpec,
    /** MessageNew fetch attributes for new messages of the selected mailbox (set by the NOTIFY command) */
    readonly fetchNew: ((uids: number[]) => Promise<void>) | null,
  ) {}

  /** the group for the selected mailbox (SELECTED / SELECTED-DELAYED), or null */
  get selectedGroup(): NotifyGroup | null {
    return this.spec.groups.find((g) => g.filter.kind === 'selected') ?? null;
  }

  /** the first group (other than SELECTED) whose filter covers `name` */
  groupFor(name: string, subscribed: ReadonlySet<string>): NotifyGroup | null {
    for (const g of this.spec.groups) {
      const f = g.filter;
      if (f.kind === 'selected') continue;
      if (f.kind === 'personal') return g;
      if (f.kind === 'inboxes' && name === 'INBOX') return g;
      if (f.kind === 'subscribed' && subscribed.has(name)) return g;
      if (f.kind === 'mailboxes' && f.names.includes(name)) return g;
      if (f.kind === 'subtree' && f.names.some((n) => name === n || name.startsWith(n + MAILBOX_DELIMITER))) return g;
    }
    return null;
  }

  note(changes: Change[], selectedId: number | null, self?: string): void {
    for (const c of changes) {
      if (c.kind === 'metadata' && c.origin !== self) this.metadata.push(c);
      else if (c.kind === 'mailbox-created' || c.kind === 'mailbox-deleted' || c.kind === 'mailbox-renamed') this.names.push(c);
      else if ((c.kind === 'exists' || c.kind === 'expunge' || c.kind === 'flags') && c.mailboxId !== selectedId && c.mailboxId) {
        this.boxes.set(c.mailboxId, this.boxes.get(c.mailboxId) || c.kind !== 'flags');
      }
    }
  }

  subscriptionChanged(name: string, on: boolean): void {
    this.subscriptions.push({ name, on });
  }

  get hasPending(): boolean {
    return this.boxes.size > 0 || this.names.length > 0 || this.subscriptions.length > 0 || this.metadata.length > 0;
  }

  /** STATUS for every mailbox the filters cover with message events (NOTIFY SET (STATUS)) */
  async statusAll(s: ImapSession): Promise<void> {
    const all = await s.ctx.store.listMailboxes(s.accountId);
    const subs = new Set(await s.ctx.store.listSubscriptions(s.accountId));
    const w = s.writer();
    for (const m of all) {
      if (m.id === s.selected?.mailboxId) continue;
      if (this.groupFor(m.name, subs)?.events.has('MessageNew')) await statusResponse(s, w, m, this.items(s, true));
    }
    s.send(w);
  }

  private items(s: ImapSession, messages: boolean): string[] {
    const items = messages ? ['MESSAGES', 'UIDNEXT', 'UNSEEN'] : ['UNSEEN'];
    if (s.condstore) items.push('HIGHESTMODSEQ');
    return items;
  }

  /** the pending responses for other mailboxes */
  async flush(s: ImapSession): Promise<void> {
    if (!this.hasPending) return;
    const boxes = [...this.boxes];
    const names = this.names.splice(0);
    const subsChanged = this.subscriptions.splice(0);
    const metadata = this.metadata.splice(0);
    this.boxes.clear();
    const all = await s.ctx.store.listMailboxes(s.accountId);
    const byId = new Map<number, MailboxInfo>(all.map((m) => [m.id, m]));
    const subs = new Set(await s.ctx.store.listSubscriptions(s.accountId));
    const w = s.writer();
    for (const [id, messages] of boxes) {
      const m = byId.get(id);
      if (!m || id === s.selected?.mailboxId) continue;
      const g = this.groupFor(m.name, subs);
      if (!g || !(messages ? g.events.has('MessageNew') : g.events.has('FlagChange'))) continue;
      await statusResponse(s, w, m, this.items(s, messages));
    }
    const list = (attrs: string[], name: string, ext?: WireValue) => {
      const resp: WireValue[] = [atom('LIST'), attrs.map(atom), MAILBOX_DELIMITER, mailboxName(s, name)];
      if (ext) resp.push(ext);
      w.untagged(resp);
    };
    for (const c of names) {
      if (c.kind !== 'mailbox-created' && c.kind !== 'mailbox-deleted' && c.kind !== 'mailbox-renamed') continue;
      const g = this.groupFor(c.name, subs) ?? (c.kind === 'mailbox-renamed' ? this.groupFor(c.oldName, subs) : null);
      if (!g?.events.has('MailboxName')) continue;
      if (c.kind === 'mailbox-deleted') list(['\\NonExistent'], c.name);
      else if (c.kind === 'mailbox-created') list([], c.name);
      else list([], c.name, ['OLDNAME', [mailboxName(s, c.oldName)]]);
    }
    for (const x of subsChanged) {
      if (!this.groupFor(x.name, new Set([x.name]))?.events.has('SubscriptionChange')) continue;
      list(x.on ? ['\\Subscribed'] : [], x.name);
    }
    for (const c of metadata) {
      if (c.mailboxId === 0) {
        if (!this.spec.groups.some((g) => g.events.has('ServerMetadataChange'))) continue;
        w.untagged([atom('METADATA'), astring(''), ...c.entries.map(astring)]);
        continue;
      }
      const m = byId.get(c.mailboxId);
      if (!m) continue;
      const g = c.mailboxId === s.selected?.mailboxId ? this.selectedGroup : this.groupFor(m.name, subs);
      if (!g?.events.has('MailboxMetadataChange')) continue;
      w.untagged([atom('METADATA'), mailboxName(s, m.name), ...c.entries.map(astring)]);
    }
    s.send(w);
  }
}
