/** Messages of the in-memory backend: append, fetch, flags, copy/move, expunge, search, delivery. */
import { matches } from '../search.js';
import { StoreError, type Change, type Flag, type Store } from '../types.js';
import { applyFlagOp, hasFlag, inUidSet, newGuid, sameFlags } from '../util.js';
import type { MemCtx } from './context.js';
import type { Body } from './model.js';
import { indexWithPrefix } from '../../mime/prefix.js';
import type { MessageOps } from '../ops.js';
import type { Summarizer } from '../summary-types.js';


export function messageOps(m: MemCtx, summarizer?: Summarizer): MessageOps {
  const { open, acct, mbox, meta, select, makeBody, checkQuota, put, remove, publish, inbox, record, appendAll } = m;
  /** a target's copy: its prefix + the message, the index shifted rather than parsed again */
  const withPrefix = (base: Body, prefix: Buffer | undefined): Body => {
    if (!prefix?.length) return base;
    const raw = Buffer.concat([prefix, base.raw]);
    return makeBody({ raw, index: indexWithPrefix(base.index, base.raw.length, prefix) ?? undefined });
  };
  return {
    async append(accountId, mailboxId, input, opts) {
      const [r] = appendAll(acct(accountId), mbox(accountId, mailboxId), [input], opts?.origin);
      publish(r!.changes);
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
      const keywords = new Set<string>();
      for (const x of m.msgs) for (const f of x.flags) if (!f.startsWith('\\')) keywords.add(f);
      return { uids: Uint32Array.from(m.msgs, (x) => x.uid), modseqs: Float64Array.from(m.msgs, (x) => x.modseq), keywords: [...keywords] };
    },
    async getMessages(accountId, mailboxId, uids) {
      return select(mbox(accountId, mailboxId), uids).map(meta);
    },
    async getMessagesWithIndex(accountId, mailboxId, uids) {
      return select(mbox(accountId, mailboxId), uids).map((x) => ({ ...meta(x), index: x.body.index }));
    },
    async getHeaders(accountId, mailboxId, uids) {
      // a copy, as getRaw gives: the caller never holds the store's own bytes
      return select(mbox(accountId, mailboxId), uids).map((x) => ({ ...meta(x), index: x.body.index, header: Buffer.from(x.body.raw.subarray(0, x.body.index.root.bodyStart)) }));
    },
    async getSummaries(accountId, mailboxId, uids) {
      return select(mbox(accountId, mailboxId), uids).map((x) => {
        let summary: string | null = null;
        if (summarizer) {
          if (x.body.summary?.version !== summarizer.version) x.body.summary = { version: summarizer.version, text: summarizer.summarize(x.body.index) };
          summary = x.body.summary.text;
        }
        return { ...meta(x), summary };
      });
    },
    async getRaw(accountId, mailboxId, uid) {
      const m = mbox(accountId, mailboxId);
      const x = m.msgs.find((y) => y.uid === uid);
      if (!x) throw new StoreError('EXPUNGED', `message UID ${uid} no longer exists`);
      return Buffer.from(x.body.raw);
    },
    async getRawMany(accountId, mailboxId, uids) {
      const m = mbox(accountId, mailboxId);
      const byUid = new Map(m.msgs.map((x) => [x.uid, x]));
      return uids.map((u) => {
        const x = byUid.get(u);
        return x ? Buffer.from(x.body.raw) : null;
      });
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
      const base = makeBody({ raw, index: opts?.index });
      const internalDate = opts?.internalDate ?? new Date();
      const changes: Change[] = [];
      const out: Awaited<ReturnType<Store['deliver']>> = [];
      for (const t of targets) {
        try {
          const a = acct(t.accountId);
          const m = t.mailboxId !== undefined ? mbox(t.accountId, t.mailboxId) : inbox(a);
          const body = withPrefix(base, t.prefix);
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
  };
}
