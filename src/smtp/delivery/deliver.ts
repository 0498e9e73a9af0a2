/**
 * Final delivery into local mailboxes: the single delivery point for port 25, submission,
 * DSNs, redirects and vacation replies to local addresses. Each account's copy is its own
 * prefix (Return-Path, the Delivered-To field of RFC 9228 naming that account, spam
 * fields, the trace fields) followed by the message; the store indexes the message once
 * and places each prefix by offset (src/mime/prefix.ts), so a message to 100 recipients is
 * parsed once, not 100 times. Resolves only after every copy is committed (SMTP 250 means
 * durable).
 *
 * Spam: `verdict` (message-level: rspamd, DMARC quarantine) and `accountVerdict` (per
 * account: the built-in classifier) are merged; the X-Spam-* fields go into the copy and a
 * junk verdict makes the account's \Junk mailbox (SPECIAL-USE) the default target instead
 * of INBOX (INBOX when the account has none). Spam is never dropped.
 *
 * Sieve: after the verdict and before the store, each account's active script decides
 * where its copies go (./filter/run.ts plans them; the plain copies of every account are
 * still stored with one store.deliver, copies changed by editheader on their own); its
 * implicit keep files into the default target and spamtest reads the merged verdict.
 *
 * Mail to a domain's shared-mailbox owner posts into a shared mailbox instead (./shared.ts).
 */
import type { ServerContext } from '../../context.js';
import { StoreError, type Account } from '../../store/types.js';
import { mergeVerdicts, spamHeaders } from '../../spam/verdict.js';
import { planDelivery, type DeliveryPlan } from '../filter/run.js';
import type { DeliverOptions, LocalResult } from '../filter/types.js';
import { deliveredToHeader, headerValues, returnPathHeader } from '../core/headers.js';
import { isSharedOwner } from '../../store/shared-owner.js';
import { planSharedPost } from './shared.js';

export type { DeliverOptions, LocalResult } from '../filter/types.js';

const asStoreError = (err: unknown): StoreError => (err instanceof StoreError ? err : new StoreError('TEMP', String((err as Error)?.message ?? err)));

export async function deliverLocal(ctx: ServerContext, accounts: Account[], raw: Buffer, opts: DeliverOptions): Promise<LocalResult[]> {
  const seen = new Set<number>();
  const unique = accounts.filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
  const already = new Set(headerValues(raw, 'delivered-to').map((v) => v.toLowerCase()));
  const sieve = opts.sieve ?? ctx.config.sieve.enabled;
  const again = (more: Account[], bytes: Buffer, o: DeliverOptions) => deliverLocal(ctx, more, bytes, o);
  const results = new Map<number, LocalResult>();

  const plans = (
    await Promise.all(
      unique.map(async (account): Promise<(DeliveryPlan & { prefix: Buffer }) | null> => {
        // RFC 9228 §4: our own Delivered-To for this account already present = a forwarding loop
        if (already.has(account.address)) {
          results.set(account.id, { account, error: new StoreError('INVALID', 'mail loop: already delivered to ' + account.address) });
          return null;
        }
        try {
          const own = opts.accountVerdict ? await opts.accountVerdict(account).catch(() => undefined) : undefined;
          const verdict = mergeVerdicts(opts.verdict, own);
          const prefix = Buffer.from(
            returnPathHeader(opts.returnPath) + deliveredToHeader(account.address) + (verdict ? spamHeaders(verdict) : '') + (opts.trace ?? ''),
            'utf8',
          );
          const rcpt = opts.rcptFor?.get(account.id) ?? account.address;
          const plan = isSharedOwner(account)
            ? await planSharedPost(ctx.store, account, rcpt, ctx.log, opts.poster)
            : await planDelivery(ctx, { account, prefix, raw, envelopeFrom: opts.returnPath, rcpt, verdict, sieve }, again);
          if (plan.final) results.set(account.id, plan.final);
          return { ...plan, prefix };
        } catch (err) {
          results.set(account.id, { account, error: asStoreError(err) });
          return null;
        }
      }),
    )
  ).filter((p) => p !== null);

  // every plain copy in one store.deliver (one parse); copies edited by editheader each on their own
  const outcome = new Map<number, { uid: number | null; error: StoreError | null }>();
  const record = (account: Account, r: { uid: number } | { error: StoreError }) => {
    const o = outcome.get(account.id) ?? { uid: null, error: null };
    if ('uid' in r) o.uid ??= r.uid;
    else o.error ??= r.error;
    outcome.set(account.id, o);
  };
  const shared = plans.flatMap((p) => p.copies.filter((c) => c.edited === null).map((c) => ({ account: p.account, prefix: p.prefix, copy: c })));
  if (shared.length) {
    try {
      const stored = await ctx.store.deliver(
        shared.map((t) => ({ accountId: t.account.id, mailboxId: t.copy.mailboxId, flags: t.copy.flags.length ? t.copy.flags : undefined, prefix: t.prefix })),
        raw,
        { internalDate: opts.internalDate, index: opts.index },
      );
      shared.forEach((t, i) => {
        const r = stored[i];
        record(t.account, !r ? { error: new StoreError('TEMP', 'store returned no result') } : 'error' in r ? { error: r.error } : { uid: r.uid });
      });
    } catch (err) {
      for (const t of shared) record(t.account, { error: asStoreError(err) });
    }
  }
  for (const p of plans) {
    for (const c of p.copies) {
      if (c.edited === null) continue;
      try {
        const [r] = await ctx.store.deliver([{ accountId: p.account.id, mailboxId: c.mailboxId, flags: c.flags.length ? c.flags : undefined }], c.edited, {
          internalDate: opts.internalDate,
        });
        record(p.account, !r ? { error: new StoreError('TEMP', 'store returned no result') } : 'error' in r ? { error: r.error } : { uid: r.uid });
      } catch (err) {
        record(p.account, { error: asStoreError(err) });
      }
    }
  }

  await Promise.all(
    plans.map(async (p) => {
      if (p.copies.length) {
        const o = outcome.get(p.account.id);
        if (o?.uid == null) {
          results.set(p.account.id, { account: p.account, error: o?.error ?? new StoreError('TEMP', 'store returned no result') });
          return;
        }
        results.set(p.account.id, { account: p.account, uid: o.uid });
      }
      await p.after();
    }),
  );
  const ordered = unique.map((a) => results.get(a.id)!);
  ctx.metrics?.message('delivered', ordered.filter((r) => 'uid' in r).length);
  return ordered;
}
