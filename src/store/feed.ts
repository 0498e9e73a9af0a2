/**
 * The change feed between processes: several letterbox processes on one store (PostgreSQL
 * nodes via LISTEN/NOTIFY, workers on one SQLite file via the cluster primary) tell each
 * other about their commits, so an IDLE session anywhere sees every change.
 *
 * - Wire form (encodeFeed/decodeFeed): small JSON payloads, at most `maxBytes` each (NOTIFY
 *   allows 8000). A change too large for one payload (an EXPUNGE of thousands of UIDs)
 *   travels as a gap marker: "mailbox M changed from MODSEQ a to b; read it".
 * - Gaps are found by MODSEQ: every change to a message or to the message set bumps its
 *   mailbox's MODSEQ by exactly one (the store contract), so per mailbox the feed expects
 *   last+1. When a change skips ahead (a lost or reordered payload, a gap marker, a
 *   reconnect), the feed reads the store (messages with a higher MODSEQ, the expunge log)
 *   and publishes what it found, then drops anything at or below what it read. Changes
 *   are held back while a repair of their account runs, so sessions see them in order.
 * - Only accounts with local subscribers are tracked; the rest of the feed is skipped.
 */
import type { Logger } from 'pino';
import { createChangeBus, type InProcessBus } from './bus.js';
import type { AccountId, Change, MailboxId, Store } from './types.js';

/** a message-level change: exactly one MODSEQ step of its mailbox */
const STEP_KINDS = new Set(['exists', 'flags', 'expunge']);

export interface FeedGap {
  accountId: AccountId;
  mailboxId: MailboxId;
  /** MODSEQ before the missing changes */
  from: number;
  /** MODSEQ after them */
  to: number;
}

export interface FeedMessage {
  /** the writing process (receivers skip their own) */
  node: string;
  changes: Change[];
  gaps: FeedGap[];
}

/** payloads of at most maxBytes (UTF-8) carrying `changes`; oversized changes become gap markers */
export function encodeFeed(node: string, changes: Change[], maxBytes = 7900): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let gaps: string[] = [];
  const head = `{"n":${JSON.stringify(node)},"c":[`;
  let size = head.length + 10;
  const flush = () => {
    if (batch.length || gaps.length) out.push(`${head}${batch.join(',')}],"g":[${gaps.join(',')}]}`);
    batch = [];
    gaps = [];
    size = head.length + 10;
  };
  for (const c of changes) {
    let s = JSON.stringify(c);
    let gap = false;
    if (Buffer.byteLength(s) + head.length + 20 > maxBytes) {
      const from = c.kind === 'expunge' || c.kind === 'exists' || c.kind === 'flags' ? c.modseq - 1 : c.modseq;
      s = JSON.stringify([c.accountId, c.mailboxId, from, c.modseq]);
      gap = true;
    }
    const len = Buffer.byteLength(s) + 1;
    if (size + len > maxBytes) flush();
    (gap ? gaps : batch).push(s);
    size += len;
  }
  flush();
  return out;
}

export function decodeFeed(payload: string): FeedMessage | null {
  try {
    const p = JSON.parse(payload) as { n: string; c: Change[]; g?: Array<[number, number, number, number]> };
    if (typeof p.n !== 'string' || !Array.isArray(p.c)) return null;
    return {
      node: p.n,
      changes: p.c,
      gaps: (p.g ?? []).map(([accountId, mailboxId, from, to]) => ({ accountId, mailboxId, from, to })),
    };
  } catch {
    return null;
  }
}

/**
 * The changes of one mailbox after MODSEQ `since`, read from the store through the contract
 * (SEARCH MODSEQ, the expunge log): "exists" and "flags" for every message changed since,
 * ascending by UID, then one "expunge". Sessions apply them idempotently.
 */
export async function readChangesSince(
  store: Pick<Store, 'search' | 'getMessages' | 'expungedSince' | 'mailboxStatus'>,
  accountId: AccountId,
  mailboxId: MailboxId,
  since: number,
): Promise<{ changes: Change[]; highest: number }> {
  const status = await store.mailboxStatus(accountId, mailboxId);
  const uids = await store.search(accountId, mailboxId, { op: 'modseq', min: since + 1 });
  const metas = uids.length ? await store.getMessages(accountId, mailboxId, uids) : [];
  const gone = await store.expungedSince(accountId, mailboxId, since);
  const changes: Change[] = [];
  for (const m of metas) changes.push({ kind: 'exists', accountId, mailboxId, modseq: m.modseq, uid: m.uid, flags: m.flags });
  for (const m of metas) changes.push({ kind: 'flags', accountId, mailboxId, modseq: m.modseq, uid: m.uid, flags: m.flags });
  if (gone.length) changes.push({ kind: 'expunge', accountId, mailboxId, modseq: status.highestModseq, uids: gone });
  return { changes, highest: status.highestModseq };
}

export interface FeedBus extends InProcessBus {
  /** changes committed by this process: published at once (in order) */
  local(changes: Change[]): void;
  /** a payload from another process */
  remote(msg: FeedMessage): void;
  /** after the transport lost messages (reconnect): re-read every tracked mailbox */
  resync(): void;
  /** accounts with local subscribers */
  accounts(): AccountId[];
  /** resolves when no repair is running (tests) */
  idle(): Promise<void>;
}

export function createFeedBus(
  reader: () => Pick<Store, 'search' | 'getMessages' | 'expungedSince' | 'mailboxStatus' | 'listMailboxes'>,
  log?: Logger,
): FeedBus {
  const inner = createChangeBus((err) => log?.error({ err }, 'store: a change listener failed'));
  const subscribers = new Map<AccountId, number>();
  /** last MODSEQ seen per mailbox, per tracked account */
  const last = new Map<AccountId, Map<MailboxId, number>>();
  /** per account: the repair in progress and the changes held back behind it */
  const repairing = new Map<AccountId, { held: Change[]; gaps: FeedGap[]; done: Promise<void> }>();

  const tracked = (a: AccountId) => subscribers.has(a);

  /** filters one account's changes through the MODSEQ tracker; returns what to publish, or the gaps found */
  function step(accountId: AccountId, changes: Change[], gaps: FeedGap[]): { publish: Change[]; gaps: FeedGap[] } {
    const seen = last.get(accountId) ?? new Map<MailboxId, number>();
    last.set(accountId, seen);
    const publish: Change[] = [];
    const found: FeedGap[] = [...gaps];
    for (const c of changes) {
      if (!STEP_KINDS.has(c.kind)) {
        if (c.kind === 'mailbox-deleted') seen.delete(c.mailboxId);
        publish.push(c);
        continue;
      }
      const l = seen.get(c.mailboxId);
      if (l !== undefined && c.modseq <= l) continue; // already told (or read by a repair)
      if (l !== undefined && c.modseq > l + 1) {
        found.push({ accountId, mailboxId: c.mailboxId, from: l, to: c.modseq });
        continue;
      }
      if (found.some((g) => g.mailboxId === c.mailboxId)) continue; // behind a gap: the repair reads it
      seen.set(c.mailboxId, c.modseq);
      publish.push(c);
    }
    return { publish, gaps: found };
  }

  function deliver(accountId: AccountId, changes: Change[], gaps: FeedGap[]): void {
    const r = repairing.get(accountId);
    if (r) {
      r.held.push(...changes);
      r.gaps.push(...gaps);
      return;
    }
    const s = step(accountId, changes, gaps);
    if (s.publish.length && s.gaps.length === 0) {
      inner.publish(s.publish);
      return;
    }
    // publish what comes before the first gap's mailbox is irrelevant to order across mailboxes;
    // keep it simple: everything of this batch waits for the repair
    startRepair(accountId, s.gaps, s.publish);
  }

  function startRepair(accountId: AccountId, gaps: FeedGap[], before: Change[]): void {
    const state = { held: [] as Change[], gaps: [] as FeedGap[], done: Promise.resolve() };
    repairing.set(accountId, state);
    state.done = (async () => {
      let pending = gaps;
      let out = before;
      while (pending.length) {
        const seen = last.get(accountId) ?? new Map<MailboxId, number>();
        const byMailbox = new Map<MailboxId, number>();
        for (const g of pending) {
          const l = seen.get(g.mailboxId);
          const from = Math.min(g.from, l ?? g.from);
          byMailbox.set(g.mailboxId, Math.min(from, byMailbox.get(g.mailboxId) ?? from));
        }
        for (const [mailboxId, from] of byMailbox) {
          try {
            const r = await readChangesSince(reader(), accountId, mailboxId, from);
            out.push(...r.changes);
            if (tracked(accountId)) (last.get(accountId) ?? last.set(accountId, new Map()).get(accountId)!).set(mailboxId, r.highest);
          } catch (err) {
            log?.warn({ err, accountId, mailboxId }, 'store: could not read changes made by another process; sessions catch up at their next SELECT');
          }
        }
        if (out.length) inner.publish(out);
        out = [];
        // what arrived meanwhile goes through the tracker again (what the repair read is dropped there)
        const held = state.held.splice(0);
        const heldGaps = state.gaps.splice(0);
        const s = step(accountId, held, heldGaps);
        out = s.publish;
        pending = s.gaps;
      }
      if (out.length) inner.publish(out);
      repairing.delete(accountId);
    })();
  }

  function route(changes: Change[], gaps: FeedGap[]): void {
    const byAccount = new Map<AccountId, { changes: Change[]; gaps: FeedGap[] }>();
    const entry = (a: AccountId) => byAccount.get(a) ?? byAccount.set(a, { changes: [], gaps: [] }).get(a)!;
    for (const c of changes) if (tracked(c.accountId)) entry(c.accountId).changes.push(c);
    for (const g of gaps) if (tracked(g.accountId)) entry(g.accountId).gaps.push(g);
    for (const [a, e] of byAccount) deliver(a, e.changes, e.gaps);
  }

  return {
    subscribe(accountId, listener) {
      const unsub = inner.subscribe(accountId, listener);
      subscribers.set(accountId, (subscribers.get(accountId) ?? 0) + 1);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        unsub();
        const n = (subscribers.get(accountId) ?? 1) - 1;
        if (n > 0) subscribers.set(accountId, n);
        else {
          subscribers.delete(accountId);
          last.delete(accountId);
        }
      };
    },
    publish: (changes) => route(changes, []),
    local: (changes) => route(changes, []),
    remote: (msg) => route(msg.changes, msg.gaps),
    resync() {
      for (const accountId of [...subscribers.keys()]) {
        const seen = last.get(accountId);
        if (!seen || seen.size === 0 || repairing.has(accountId)) continue;
        void reader()
          .listMailboxes(accountId)
          .then((boxes) => {
            const gaps: FeedGap[] = [];
            for (const b of boxes) {
              const l = seen.get(b.id);
              if (l !== undefined && b.highestModseq > l) gaps.push({ accountId, mailboxId: b.id, from: l, to: b.highestModseq });
            }
            if (gaps.length) deliver(accountId, [], gaps);
          })
          .catch((err: unknown) => log?.warn({ err, accountId }, 'store: could not re-read mailboxes after the change feed reconnected'));
      }
    },
    accounts: () => [...subscribers.keys()],
    async idle() {
      while (repairing.size) await Promise.all([...repairing.values()].map((r) => r.done));
    },
    subscriberCount: () => inner.subscriberCount(),
  };
}
