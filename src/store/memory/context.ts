/**
 * State and helpers of the in-memory backend, shared by its parts (admin, mailboxes,
 * messages, pop3, queue). Ownership checks live here: a mailbox is only reached through
 * its account, so a foreign MailboxId is NONEXISTENT on every path.
 */
import { createHash } from 'node:crypto';
import { indexMessage } from '../../mime/index.js';
import { searchableText } from '../../mime/text.js';
import { createChangeBus } from '../bus.js';
import { computeSortKeys } from '../sort-keys.js';
import { type SearchRecord } from '../search.js';
import {
  StoreError,
  type Account,
  type AccountId,
  type AppendResult,
  type Change,
  type Flag,
  type MailboxId,
  type MailboxInfo,
  type MessageMeta,
  type SpecialUse,
  type UidSet,
} from '../types.js';
import { checkImportUids, inUidSet, newGuid, nextUidValidity, normaliseFlags } from '../util.js';
import type { ImportInput } from '../integrity-types.js';
import type { AccountState, Body, Mbox, MemoryState, Msg } from './model.js';

export interface MemCtx {
  st: MemoryState;
  bus: ReturnType<typeof createChangeBus>;
  closed: boolean;
  open(): void;
  acct(id: AccountId): AccountState;
  mbox(accountId: AccountId, mailboxId: MailboxId): Mbox;
  byName(a: AccountState, name: string): Mbox | undefined;
  copyAccount(a: Account): Account;
  info(a: AccountState, m: Mbox): MailboxInfo;
  meta(m: Msg): MessageMeta;
  select(m: Mbox, uids: UidSet): Msg[];
  newMailbox(a: AccountState, name: string, specialUse: SpecialUse | null): Mbox;
  makeBody(input: { raw: Buffer; index?: Body['index'] }): Body;
  checkQuota(a: AccountState, adding: number): void;
  put(a: AccountState, m: Mbox, body: Body, flags: Flag[], internalDate: Date, guid: string, origin: string | undefined, uid?: number): Change;
  remove(a: AccountState, m: Mbox, gone: Msg[], origin: string | undefined): Change | null;
  publish(changes: Change[]): Change[];
  inbox(a: AccountState): Mbox;
  record(msg: Msg): SearchRecord;
  appendAll(a: AccountState, m: Mbox, inputs: ImportInput[], origin: string | undefined): AppendResult[];
}

export function createMemCtx(mimeDepth?: number): MemCtx {
  const bus = createChangeBus();
  const st: MemoryState = {
    domains: new Map(),
    accounts: new Map(),
    aliases: new Map(),
    queue: new Map(),
    leases: new Map(),
    kv: new Map(),
    nextAccountId: 1,
    nextMailboxId: 1,
    lastUidValidity: 0,
  };

  function open(): void {
    if (ctx.closed) throw new StoreError('TEMP', 'the store is closed');
  }
  function acct(id: AccountId): AccountState {
    open();
    const a = st.accounts.get(id);
    if (!a) throw new StoreError('NONEXISTENT', `account ${id} does not exist`);
    return a;
  }
  function mbox(accountId: AccountId, mailboxId: MailboxId): Mbox {
    const a = acct(accountId);
    const m = a.mailboxes.get(mailboxId);
    if (!m) throw new StoreError('NONEXISTENT', `mailbox does not exist`);
    return m;
  }
  function byName(a: AccountState, name: string): Mbox | undefined {
    for (const m of a.mailboxes.values()) if (m.name === name) return m;
    return undefined;
  }
  function copyAccount(a: Account): Account {
    return { ...a, createdAt: new Date(a.createdAt) };
  }
  function info(a: AccountState, m: Mbox): MailboxInfo {
    return {
      id: m.id,
      accountId: m.accountId,
      name: m.name,
      specialUse: m.specialUse,
      subscribed: a.subscriptions.has(m.name),
      uidValidity: m.uidValidity,
      uidNext: m.uidNext,
      highestModseq: m.highestModseq,
    };
  }
  function meta(m: Msg): MessageMeta {
    return { uid: m.uid, modseq: m.modseq, flags: [...m.flags], internalDate: new Date(m.internalDate), size: m.body.raw.length, guid: m.guid };
  }
  function select(m: Mbox, uids: UidSet): Msg[] {
    return m.msgs.filter((x) => inUidSet(x.uid, uids));
  }
  function newMailbox(a: AccountState, name: string, specialUse: SpecialUse | null): Mbox {
    st.lastUidValidity = nextUidValidity(st.lastUidValidity);
    const m: Mbox = {
      id: st.nextMailboxId++,
      accountId: a.account.id,
      name,
      specialUse,
      uidValidity: st.lastUidValidity,
      uidNext: 1,
      highestModseq: 1,
      msgs: [],
      expunged: [],
      recentFrom: 1,
    };
    a.mailboxes.set(m.id, m);
    return m;
  }
  function makeBody(input: { raw: Buffer; index?: Body['index'] }): Body {
    const raw = Buffer.from(input.raw); // own copy: callers may reuse their buffer
    const index = input.index ?? indexMessage(raw, { maxDepth: mimeDepth });
    return { raw, index, sha256: createHash('sha256').update(raw).digest('hex'), sortKeys: computeSortKeys(raw, index) };
  }
  function checkQuota(a: AccountState, adding: number): void {
    const q = a.account.quotaBytes;
    if (q > 0 && a.used + adding > q)
      throw new StoreError('OVERQUOTA', `account ${a.account.address} is over its quota of ${q} bytes`);
  }
  /** appends one message (no quota check); returns the change */
  function put(
    a: AccountState,
    m: Mbox,
    body: Body,
    flags: Flag[],
    internalDate: Date,
    guid: string,
    origin: string | undefined,
    uid = m.uidNext,
  ): Change {
    m.uidNext = uid + 1;
    const msg: Msg = { uid, modseq: ++m.highestModseq, flags: normaliseFlags(flags), internalDate: new Date(internalDate), guid, body, hiddenFromPop3: false, saveDate: new Date() };
    m.msgs.push(msg);
    a.used += body.raw.length;
    return { kind: 'exists', accountId: a.account.id, mailboxId: m.id, modseq: m.highestModseq, uid: msg.uid, flags: [...msg.flags], origin };
  }
  /** removes the given messages; one modseq; returns the change or null */
  function remove(a: AccountState, m: Mbox, gone: Msg[], origin: string | undefined): Change | null {
    if (gone.length === 0) return null;
    const set = new Set(gone);
    m.msgs = m.msgs.filter((x) => !set.has(x));
    const modseq = ++m.highestModseq;
    const uids = gone.map((x) => x.uid).sort((x, y) => x - y);
    for (const uid of uids) m.expunged.push({ uid, modseq });
    for (const g of gone) a.used -= g.body.raw.length;
    return { kind: 'expunge', accountId: a.account.id, mailboxId: m.id, modseq, uids, origin };
  }
  function publish(changes: Change[]): Change[] {
    bus.publish(changes);
    return changes;
  }
  function inbox(a: AccountState): Mbox {
    const m = byName(a, 'INBOX');
    if (!m) throw new StoreError('NONEXISTENT', `account ${a.account.address} has no INBOX`);
    return m;
  }
  function record(msg: Msg): SearchRecord {
    return {
      meta: meta(msg),
      dateHeader: () => msg.body.index.root.envelope?.date ?? null,
      text: () => {
        if (!msg.body.text) {
          const t = searchableText(msg.body.raw, msg.body.index);
          msg.body.text = { header: t.header.toLowerCase(), body: t.body.toLowerCase() };
        }
        return msg.body.text;
      },
    };
  }
  function appendAll(a: AccountState, m: Mbox, inputs: ImportInput[], origin: string | undefined): AppendResult[] {
    checkImportUids(m.uidNext, inputs);
    const bodies = inputs.map((i) => makeBody(i));
    checkQuota(a, bodies.reduce((s, b) => s + b.raw.length, 0));
    return inputs.map((input, i) => {
      const change = put(a, m, bodies[i]!, input.flags ?? [], input.internalDate ?? new Date(), newGuid(), origin, input.uid);
      return { uidValidity: m.uidValidity, uid: (change as { uid: number }).uid, changes: [change] };
    });
  }

  const ctx: MemCtx = {
    st,
    bus,
    closed: false,
    open,
    acct,
    mbox,
    byName,
    copyAccount,
    info,
    meta,
    select,
    newMailbox,
    makeBody,
    checkQuota,
    put,
    remove,
    publish,
    inbox,
    record,
    appendAll,
  };
  return ctx;
}
