/**
 * In-memory reference backend: the whole contract of ../types.ts with no persistence.
 * Protocol tests run against it; test/unit/store/contract.ts runs the same suite against
 * it and the SQLite backend. Each mutation runs synchronously inside its async method (so
 * it is atomic with respect to other calls), then publishes its changes on the bus.
 */
import { randomBytes } from 'node:crypto';
import { indexMessage } from '../../mime/index.js';
import { searchableText } from '../../mime/text.js';
import { createChangeBus } from '../bus.js';
import { resolveRecipientWith } from '../resolve.js';
import { matches, type SearchRecord } from '../search.js';
import {
  DEFAULT_MAILBOXES,
  StoreError,
  type Account,
  type AccountId,
  type Alias,
  type AppendInput,
  type AppendResult,
  type Change,
  type Domain,
  type Flag,
  type MailboxId,
  type MailboxInfo,
  type MailboxStatus,
  type MessageMeta,
  type MutationOptions,
  type Pop3DeletePolicy,
  type QueueItem,
  type SpecialUse,
  type Store,
  type UidSet,
} from '../types.js';
import {
  applyFlagOp,
  hasFlag,
  inUidSet,
  newGuid,
  nextUidValidity,
  normaliseAddress,
  normaliseAliasSource,
  normaliseDomain,
  normaliseFlags,
  normaliseMailboxName,
  parentNames,
  sameFlags,
  domainOf,
} from '../util.js';
import type { AccountState, Body, Mbox, MemoryState, Msg } from './model.js';

const DAY_MS = 86_400_000;

export function createMemoryStore(): Store {
  const bus = createChangeBus();
  const st: MemoryState = {
    domains: new Map(),
    accounts: new Map(),
    aliases: new Map(),
    queue: new Map(),
    nextAccountId: 1,
    nextMailboxId: 1,
    lastUidValidity: 0,
  };
  let closed = false;

  // ───────────── helpers ─────────────

  function open(): void {
    if (closed) throw new StoreError('TEMP', 'the store is closed');
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
    return { raw, index: input.index ?? indexMessage(raw) };
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
  ): Change {
    const msg: Msg = { uid: m.uidNext++, modseq: ++m.highestModseq, flags: normaliseFlags(flags), internalDate: new Date(internalDate), guid, body, hiddenFromPop3: false };
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
  function appendAll(a: AccountState, m: Mbox, inputs: AppendInput[], origin: string | undefined): AppendResult[] {
    const bodies = inputs.map((i) => makeBody(i));
    checkQuota(a, bodies.reduce((s, b) => s + b.raw.length, 0));
    return inputs.map((input, i) => {
      const change = put(a, m, bodies[i]!, input.flags ?? [], input.internalDate ?? new Date(), newGuid(), origin);
      return { uidValidity: m.uidValidity, uid: (change as { uid: number }).uid, changes: [change] };
    });
  }

  // ───────────── the store ─────────────

  const store: Store = {
    bus,

    async addDomain(name, dkim) {
      open();
      const n = normaliseDomain(name);
      if (st.domains.has(n)) throw new StoreError('ALREADYEXISTS', `domain ${n} already exists`);
      const d: Domain = { name: n, createdAt: new Date(), dkimSelector: dkim?.selector ?? null, dkimPrivateKey: dkim?.privateKey ?? null };
      st.domains.set(n, d);
      return { ...d };
    },
    async getDomain(name) {
      open();
      const d = st.domains.get(String(name).toLowerCase().replace(/\.$/, ''));
      return d ? { ...d } : null;
    },
    async listDomains() {
      open();
      return [...st.domains.values()].sort((x, y) => x.name.localeCompare(y.name)).map((d) => ({ ...d }));
    },
    async removeDomain(name) {
      open();
      const n = normaliseDomain(name);
      if (!st.domains.has(n)) throw new StoreError('NONEXISTENT', `domain ${n} does not exist`);
      const accounts = [...st.accounts.values()].filter((a) => domainOf(a.account.address) === n).length;
      const aliases = [...st.aliases.values()].filter((a) => domainOf(a.source) === n).length;
      if (accounts || aliases)
        throw new StoreError('NOPERM', `domain ${n} is still used by ${accounts} account(s) and ${aliases} alias(es); remove them first`);
      st.domains.delete(n);
    },

    async createAccount(address, passwordHash, opts) {
      open();
      const n = normaliseAddress(address);
      const quota = opts?.quotaBytes ?? 0;
      if (!Number.isFinite(quota) || quota < 0) throw new StoreError('INVALID', 'quota must be a non-negative number of bytes');
      if (!st.domains.has(n.domain)) throw new StoreError('NONEXISTENT', `domain ${n.domain} does not exist; add it first`);
      for (const a of st.accounts.values())
        if (a.account.address === n.address) throw new StoreError('ALREADYEXISTS', `account ${n.address} already exists`);
      const account: Account = { id: st.nextAccountId++, address: n.address, passwordHash, quotaBytes: quota, pop3Policy: null, createdAt: new Date() };
      const a: AccountState = { account, mailboxes: new Map(), subscriptions: new Set(), retained: [], used: 0 };
      st.accounts.set(account.id, a);
      for (const d of DEFAULT_MAILBOXES) {
        newMailbox(a, d.name, d.specialUse);
        a.subscriptions.add(d.name);
      }
      return copyAccount(account);
    },
    async getAccount(address) {
      open();
      const a = String(address).trim().toLowerCase();
      for (const s of st.accounts.values()) if (s.account.address === a) return copyAccount(s.account);
      return null;
    },
    async getAccountById(id) {
      open();
      const a = st.accounts.get(id);
      return a ? copyAccount(a.account) : null;
    },
    async listAccounts(domain) {
      open();
      const d = domain?.toLowerCase();
      return [...st.accounts.values()]
        .filter((a) => !d || domainOf(a.account.address) === d)
        .map((a) => copyAccount(a.account))
        .sort((x, y) => x.address.localeCompare(y.address));
    },
    async updateAccount(id, patch) {
      const a = acct(id);
      if (patch.passwordHash !== undefined) a.account.passwordHash = patch.passwordHash;
      if (patch.quotaBytes !== undefined) {
        if (!Number.isFinite(patch.quotaBytes) || patch.quotaBytes < 0) throw new StoreError('INVALID', 'quota must be a non-negative number of bytes');
        a.account.quotaBytes = patch.quotaBytes;
      }
      if (patch.pop3Policy !== undefined) a.account.pop3Policy = patch.pop3Policy;
      return copyAccount(a.account);
    },
    async deleteAccount(id) {
      acct(id);
      st.accounts.delete(id);
    },
    async usedBytes(id) {
      return acct(id).used;
    },

    async addAlias(source, destinations) {
      open();
      const s = normaliseAliasSource(source);
      if (!st.domains.has(s.domain)) throw new StoreError('NONEXISTENT', `domain ${s.domain} does not exist; add it first`);
      if (st.aliases.has(s.source)) throw new StoreError('ALREADYEXISTS', `alias ${s.source} already exists`);
      const dests = [...new Set(destinations.map((d) => normaliseAddress(d).address))];
      if (dests.length === 0) throw new StoreError('INVALID', `alias ${s.source} needs at least one destination`);
      const alias: Alias = { source: s.source, destinations: dests };
      st.aliases.set(s.source, alias);
      return { source: alias.source, destinations: [...dests] };
    },
    async removeAlias(source) {
      open();
      const s = normaliseAliasSource(source);
      if (!st.aliases.delete(s.source)) throw new StoreError('NONEXISTENT', `alias ${s.source} does not exist`);
    },
    async listAliases(domain) {
      open();
      const d = domain?.toLowerCase();
      return [...st.aliases.values()]
        .filter((a) => !d || domainOf(a.source) === d)
        .sort((x, y) => x.source.localeCompare(y.source))
        .map((a) => ({ source: a.source, destinations: [...a.destinations] }));
    },
    async resolveRecipient(address) {
      open();
      return resolveRecipientWith(
        {
          domainExists: async (d) => st.domains.has(d),
          account: async (addr) => store.getAccount(addr),
          aliasDestinations: async (src) => st.aliases.get(src)?.destinations.slice() ?? null,
        },
        address,
      );
    },

    async listMailboxes(accountId) {
      const a = acct(accountId);
      return [...a.mailboxes.values()].map((m) => info(a, m)).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    },
    async getMailbox(accountId, name) {
      const a = acct(accountId);
      let n: string;
      try {
        n = normaliseMailboxName(name);
      } catch {
        return null;
      }
      const m = byName(a, n);
      return m ? info(a, m) : null;
    },
    async getSpecialMailbox(accountId, use) {
      const a = acct(accountId);
      const list = [...a.mailboxes.values()].filter((m) => m.specialUse === use).sort((x, y) => x.id - y.id);
      return list[0] ? info(a, list[0]) : null;
    },
    async mailboxStatus(accountId, mailboxId, recentFromUid) {
      const a = acct(accountId);
      const m = mbox(accountId, mailboxId);
      const from = recentFromUid ?? m.recentFrom;
      let unseen = 0, deleted = 0, size = 0, recent = 0;
      let firstUnseenUid: number | null = null;
      for (const x of m.msgs) {
        if (!hasFlag(x.flags, '\\Seen')) {
          unseen++;
          firstUnseenUid ??= x.uid;
        }
        if (hasFlag(x.flags, '\\Deleted')) deleted++;
        size += x.body.raw.length;
        if (x.uid >= from) recent++;
      }
      const s: MailboxStatus = { ...info(a, m), messages: m.msgs.length, unseen, deleted, size, recent, firstUnseenUid };
      return s;
    },
    async createMailbox(accountId, name, opts) {
      const a = acct(accountId);
      const n = normaliseMailboxName(name);
      if (byName(a, n)) throw new StoreError('ALREADYEXISTS', `mailbox ${n} already exists`);
      const changes: Change[] = [];
      // RFC 9051 §6.3.4: superiors needed to place the new name are created too
      for (const p of [...parentNames(n), n]) {
        if (byName(a, p)) continue;
        const m = newMailbox(a, p, p === n ? (opts?.specialUse ?? null) : null);
        changes.push({ kind: 'mailbox-created', accountId, mailboxId: m.id, modseq: m.highestModseq, name: p, origin: opts?.origin });
      }
      return publish(changes);
    },
    async deleteMailbox(accountId, name, opts) {
      const a = acct(accountId);
      const n = normaliseMailboxName(name);
      if (n === 'INBOX') throw new StoreError('NOPERM', 'INBOX cannot be deleted');
      const m = byName(a, n);
      if (!m) throw new StoreError('NONEXISTENT', `mailbox ${n} does not exist`);
      for (const x of m.msgs) a.used -= x.body.raw.length;
      a.mailboxes.delete(m.id);
      return publish([{ kind: 'mailbox-deleted', accountId, mailboxId: m.id, modseq: m.highestModseq, name: n, origin: opts?.origin }]);
    },
    async renameMailbox(accountId, oldName, newName, opts) {
      const a = acct(accountId);
      const from = normaliseMailboxName(oldName);
      const to = normaliseMailboxName(newName);
      const src = byName(a, from);
      if (!src) throw new StoreError('NONEXISTENT', `mailbox ${from} does not exist`);
      if (byName(a, to)) throw new StoreError('ALREADYEXISTS', `mailbox ${to} already exists`);
      if (to === 'INBOX') throw new StoreError('ALREADYEXISTS', 'INBOX already exists');
      if (from !== 'INBOX' && to.startsWith(from + '/')) throw new StoreError('INVALID', `cannot rename ${from} into its own child ${to}`);
      const origin = opts?.origin;
      const changes: Change[] = [];
      const renames: Array<[Mbox, string]> = [];
      if (from !== 'INBOX') {
        for (const m of [...a.mailboxes.values()].sort((x, y) => (x.name < y.name ? -1 : 1))) {
          if (m.name === from) renames.push([m, to]);
          else if (m.name.startsWith(from + '/')) renames.push([m, to + m.name.slice(from.length)]);
        }
        for (const [, nn] of renames)
          if (byName(a, nn)) throw new StoreError('ALREADYEXISTS', `mailbox ${nn} already exists`);
      }
      for (const p of parentNames(to)) {
        if (byName(a, p)) continue;
        const pm = newMailbox(a, p, null);
        changes.push({ kind: 'mailbox-created', accountId, mailboxId: pm.id, modseq: pm.highestModseq, name: p, origin });
      }
      if (from === 'INBOX') {
        // RFC 9051 §6.3.6: messages move to a new mailbox; INBOX stays, empty; its children stay
        const dest = newMailbox(a, to, null);
        changes.push({ kind: 'mailbox-created', accountId, mailboxId: dest.id, modseq: dest.highestModseq, name: to, origin });
        const moving = [...src.msgs];
        for (const x of moving) changes.push(put(a, dest, x.body, x.flags, x.internalDate, x.guid, origin));
        const gone = remove(a, src, moving, origin);
        if (gone) changes.push(gone);
        return publish(changes);
      }
      for (const [m, nn] of renames) {
        const old = m.name;
        m.name = nn;
        if (a.subscriptions.delete(old)) a.subscriptions.add(nn);
        changes.push({ kind: 'mailbox-renamed', accountId, mailboxId: m.id, modseq: m.highestModseq, name: nn, oldName: old, origin });
      }
      return publish(changes);
    },
    async setSubscribed(accountId, name, subscribed) {
      const a = acct(accountId);
      const n = normaliseMailboxName(name);
      if (subscribed) a.subscriptions.add(n);
      else a.subscriptions.delete(n);
    },
    async listSubscriptions(accountId) {
      return [...acct(accountId).subscriptions].sort();
    },
    async claimRecent(accountId, mailboxId) {
      const m = mbox(accountId, mailboxId);
      const from = m.recentFrom;
      m.recentFrom = m.uidNext;
      return from;
    },

    async append(accountId, mailboxId, input, opts) {
      const [r] = await store.appendMany(accountId, mailboxId, [input], opts);
      return r!;
    },
    async appendMany(accountId, mailboxId, inputs, opts) {
      const a = acct(accountId);
      const m = mbox(accountId, mailboxId);
      const results = appendAll(a, m, inputs, opts?.origin);
      publish(results.flatMap((r) => r.changes));
      return results;
    },
    async snapshot(accountId, mailboxId) {
      const m = mbox(accountId, mailboxId);
      return { uids: Uint32Array.from(m.msgs, (x) => x.uid), modseqs: Float64Array.from(m.msgs, (x) => x.modseq) };
    },
    async getMessages(accountId, mailboxId, uids) {
      return select(mbox(accountId, mailboxId), uids).map(meta);
    },
    async getMessagesWithIndex(accountId, mailboxId, uids) {
      return select(mbox(accountId, mailboxId), uids).map((x) => ({ ...meta(x), index: x.body.index }));
    },
    async getRaw(accountId, mailboxId, uid) {
      const m = mbox(accountId, mailboxId);
      const x = m.msgs.find((y) => y.uid === uid);
      if (!x) throw new StoreError('EXPUNGED', `message UID ${uid} no longer exists`);
      return Buffer.from(x.body.raw);
    },
    async storeFlags(accountId, mailboxId, uids, op, flags, opts) {
      const m = mbox(accountId, mailboxId);
      const updated: Array<{ uid: number; flags: Flag[]; modseq: number }> = [];
      const failed: number[] = [];
      const changes: Change[] = [];
      for (const x of select(m, uids)) {
        if (opts?.unchangedSince !== undefined && x.modseq > opts.unchangedSince) {
          failed.push(x.uid);
          continue;
        }
        const next = applyFlagOp(x.flags, op, flags);
        if (sameFlags(next, x.flags)) continue;
        x.flags = next;
        x.modseq = ++m.highestModseq;
        updated.push({ uid: x.uid, flags: [...next], modseq: x.modseq });
        changes.push({ kind: 'flags', accountId, mailboxId, modseq: x.modseq, uid: x.uid, flags: [...next], origin: opts?.origin });
      }
      return { updated, failed, changes: publish(changes) };
    },
    async copy(accountId, fromId, uids, toId, opts) {
      const a = acct(accountId);
      const src = mbox(accountId, fromId);
      const dst = mbox(accountId, toId);
      const picked = select(src, uids);
      checkQuota(a, picked.reduce((s, x) => s + x.body.raw.length, 0));
      const mapping: Array<[number, number]> = [];
      const changes: Change[] = [];
      for (const x of picked) {
        const c = put(a, dst, x.body, x.flags, x.internalDate, newGuid(), opts?.origin);
        mapping.push([x.uid, (c as { uid: number }).uid]);
        changes.push(c);
      }
      return { uidValidity: dst.uidValidity, mapping, changes: publish(changes) };
    },
    async move(accountId, fromId, uids, toId, opts) {
      const a = acct(accountId);
      const src = mbox(accountId, fromId);
      const dst = mbox(accountId, toId);
      const picked = select(src, uids);
      const mapping: Array<[number, number]> = [];
      const changes: Change[] = [];
      for (const x of picked) {
        const c = put(a, dst, x.body, x.flags, x.internalDate, x.guid, opts?.origin);
        mapping.push([x.uid, (c as { uid: number }).uid]);
        changes.push(c);
      }
      const gone = remove(a, src, picked, opts?.origin);
      if (gone) changes.push(gone);
      return { uidValidity: dst.uidValidity, mapping, changes: publish(changes) };
    },
    async expunge(accountId, mailboxId, uids, opts) {
      const a = acct(accountId);
      const m = mbox(accountId, mailboxId);
      const gone = m.msgs.filter((x) => hasFlag(x.flags, '\\Deleted') && (!uids || inUidSet(x.uid, uids)));
      const c = remove(a, m, gone, opts?.origin);
      return { uids: c && c.kind === 'expunge' ? c.uids : [], changes: publish(c ? [c] : []) };
    },
    async expungedSince(accountId, mailboxId, modseq) {
      const m = mbox(accountId, mailboxId);
      return m.expunged.filter((e) => e.modseq > modseq).map((e) => e.uid).sort((x, y) => x - y);
    },
    async search(accountId, mailboxId, query) {
      const m = mbox(accountId, mailboxId);
      return m.msgs.filter((x) => matches(query, record(x))).map((x) => x.uid);
    },

    async deliver(targets, raw, opts) {
      open();
      const body = makeBody({ raw });
      const internalDate = opts?.internalDate ?? new Date();
      const changes: Change[] = [];
      const out: Awaited<ReturnType<Store['deliver']>> = [];
      for (const t of targets) {
        try {
          const a = acct(t.accountId);
          const m = t.mailboxId !== undefined ? mbox(t.accountId, t.mailboxId) : inbox(a);
          checkQuota(a, body.raw.length);
          const c = put(a, m, body, t.flags ?? [], internalDate, newGuid(), undefined);
          changes.push(c);
          out.push({ accountId: t.accountId, mailboxId: m.id, uid: (c as { uid: number }).uid });
        } catch (err) {
          if (!(err instanceof StoreError)) throw err;
          out.push({ accountId: t.accountId, error: err });
        }
      }
      publish(changes);
      return out;
    },

    async pop3List(accountId) {
      const a = acct(accountId);
      return inbox(a)
        .msgs.filter((x) => !x.hiddenFromPop3)
        .map((x) => ({ uid: x.uid, size: x.body.raw.length, pop3Size: x.body.raw.length + x.body.index.bareLf, guid: x.guid }));
    },
    async pop3Delete(accountId, uids, policy: Pop3DeletePolicy, retentionDays, opts) {
      const a = acct(accountId);
      const box = inbox(a);
      const wanted = new Set(uids);
      const picked = box.msgs.filter((x) => wanted.has(x.uid));
      const origin = opts?.origin;
      const changes: Change[] = [];
      if (picked.length === 0) return changes;
      if (policy === 'hide') {
        for (const x of picked) x.hiddenFromPop3 = true;
        return changes;
      }
      if (policy === 'trash') {
        const trash = [...a.mailboxes.values()].find((m) => m.specialUse === '\\Trash') ?? byName(a, 'Trash');
        if (trash && trash !== box) {
          for (const x of picked) changes.push(put(a, trash, x.body, x.flags, x.internalDate, x.guid, origin));
          const gone = remove(a, box, picked, origin);
          if (gone) changes.push(gone);
          return publish(changes);
        }
        policy = 'retain'; // no Trash: keep it recoverable rather than destroy it
      }
      if (policy === 'retain') {
        const now = new Date();
        const purgeAfter = new Date(now.getTime() + retentionDays * DAY_MS);
        for (const x of picked)
          a.retained.push({ guid: x.guid, deletedAt: now, purgeAfter, flags: [...x.flags], internalDate: x.internalDate, body: x.body });
      }
      const gone = remove(a, box, picked, origin);
      if (gone) changes.push(gone);
      return publish(changes);
    },
    async listRetained(accountId) {
      return acct(accountId).retained.map((r) => ({
        guid: r.guid,
        deletedAt: new Date(r.deletedAt),
        purgeAfter: new Date(r.purgeAfter),
        size: r.body.raw.length,
        subject: r.body.index.root.envelope?.subject ?? null,
      }));
    },
    async pop3Restore(accountId, guids) {
      const a = acct(accountId);
      const box = inbox(a);
      const want = guids ? new Set(guids) : null;
      const back = a.retained.filter((r) => !want || want.has(r.guid));
      const changes: Change[] = [];
      for (const r of back) changes.push(put(a, box, r.body, r.flags, r.internalDate, r.guid, undefined));
      a.retained = a.retained.filter((r) => !back.includes(r));
      publish(changes);
      return back.length;
    },
    async purgeRetained(now) {
      open();
      let n = 0;
      for (const a of st.accounts.values()) {
        const keep = a.retained.filter((r) => r.purgeAfter.getTime() > now.getTime());
        n += a.retained.length - keep.length;
        a.retained = keep;
      }
      return n;
    },

    async enqueue(item) {
      open();
      const now = new Date();
      const q: QueueItem = {
        id: randomBytes(12).toString('hex'),
        from: item.from,
        recipients: [...item.recipients],
        createdAt: now,
        nextAttemptAt: now,
        attempts: 0,
        lastError: null,
        accountId: item.accountId,
        warnedAt: null,
        size: item.raw.length,
      };
      st.queue.set(q.id, { item: q, raw: Buffer.from(item.raw) });
      return copyItem(q);
    },
    async dueQueueItems(now, limit) {
      open();
      return [...st.queue.values()]
        .map((e) => e.item)
        .filter((i) => i.nextAttemptAt.getTime() <= now.getTime())
        .sort((x, y) => x.nextAttemptAt.getTime() - y.nextAttemptAt.getTime())
        .slice(0, limit)
        .map(copyItem);
    },
    async getQueueItem(id) {
      open();
      const e = st.queue.get(id);
      return e ? copyItem(e.item) : null;
    },
    async getQueueRaw(id) {
      open();
      const e = st.queue.get(id);
      if (!e) throw new StoreError('NONEXISTENT', `queue item ${id} does not exist`);
      return Buffer.from(e.raw);
    },
    async updateQueueItem(id, patch) {
      open();
      const e = st.queue.get(id);
      if (!e) throw new StoreError('NONEXISTENT', `queue item ${id} does not exist`);
      if (patch.recipients) e.item.recipients = [...patch.recipients];
      if (patch.nextAttemptAt) e.item.nextAttemptAt = new Date(patch.nextAttemptAt);
      if (patch.attempts !== undefined) e.item.attempts = patch.attempts;
      if (patch.lastError !== undefined) e.item.lastError = patch.lastError;
      if (patch.warnedAt !== undefined) e.item.warnedAt = patch.warnedAt ? new Date(patch.warnedAt) : null;
    },
    async removeQueueItem(id) {
      open();
      st.queue.delete(id);
    },
    async listQueue() {
      open();
      return [...st.queue.values()].map((e) => copyItem(e.item)).sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime());
    },

    async close() {
      closed = true;
    },
  };
  return store;
}

function copyItem(q: QueueItem): QueueItem {
  return {
    ...q,
    recipients: [...q.recipients],
    createdAt: new Date(q.createdAt),
    nextAttemptAt: new Date(q.nextAttemptAt),
    warnedAt: q.warnedAt ? new Date(q.warnedAt) : null,
  };
}
