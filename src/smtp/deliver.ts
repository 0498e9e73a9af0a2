/**
 * Final delivery into local INBOXes. Each account gets its own copy because the
 * Delivered-To field (RFC 9228) names that account's address: one store.deliver() per
 * account, run in parallel (the store may group them into one commit). The MIME index
 * is computed by the store per copy, since offsets differ with the prepended fields.
 * Resolves only after every copy is committed (SMTP 250 means durable).
 */
import type { ServerContext } from '../context.js';
import { StoreError, type Account } from '../store/types.js';
import { deliveredToHeader, headerValues, returnPathHeader } from './headers.js';

export type LocalResult = { account: Account; uid: number } | { account: Account; error: StoreError };

/**
 * @param trace header fields to prepend below Return-Path/Delivered-To (Received, Authentication-Results)
 */
export async function deliverLocal(
  ctx: ServerContext,
  accounts: Account[],
  raw: Buffer,
  opts: { returnPath: string; trace?: string; internalDate?: Date },
): Promise<LocalResult[]> {
  const seen = new Set<number>();
  const unique = accounts.filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
  const already = new Set(headerValues(raw, 'delivered-to').map((v) => v.toLowerCase()));
  return Promise.all(
    unique.map(async (account): Promise<LocalResult> => {
      // RFC 9228 §4: our own Delivered-To for this account already present = a forwarding loop
      if (already.has(account.address)) return { account, error: new StoreError('INVALID', 'mail loop: already delivered to ' + account.address) };
      const prefix = returnPathHeader(opts.returnPath) + deliveredToHeader(account.address) + (opts.trace ?? '');
      const copy = Buffer.concat([Buffer.from(prefix, 'utf8'), raw]);
      try {
        const [r] = await ctx.store.deliver([{ accountId: account.id }], copy, { internalDate: opts.internalDate });
        if (!r) return { account, error: new StoreError('TEMP', 'store returned no result') };
        return 'error' in r ? { account, error: r.error } : { account, uid: r.uid };
      } catch (err) {
        return { account, error: err instanceof StoreError ? err : new StoreError('TEMP', String((err as Error)?.message ?? err)) };
      }
    }),
  );
}
