/**
 * Final delivery into local mailboxes. Each account gets its own copy because the
 * Delivered-To field (RFC 9228) names that account's address: one store.deliver() per
 * account, run in parallel (the store may group them into one commit). The MIME index
 * is computed by the store per copy, since offsets differ with the prepended fields.
 * Resolves only after every copy is committed (SMTP 250 means durable).
 *
 * Spam: `verdict` (message-level: rspamd, DMARC quarantine) and `accountVerdict` (per
 * account: the built-in classifier) are merged; the X-Spam-* fields go into the copy and a
 * junk verdict makes the account's \Junk mailbox (SPECIAL-USE) the default target instead
 * of INBOX (INBOX when the account has none). Spam is never dropped.
 */
import type { ServerContext } from '../context.js';
import { StoreError, type Account } from '../store/types.js';
import { deliveredToHeader, headerValues, returnPathHeader } from './headers.js';
import { mergeVerdicts, spamHeaders, type Verdict } from '../spam/verdict.js';

export type LocalResult = { account: Account; uid: number } | { account: Account; error: StoreError };

/**
 * @param trace header fields to prepend below Return-Path/Delivered-To (Received, Authentication-Results)
 */
export async function deliverLocal(
  ctx: ServerContext,
  accounts: Account[],
  raw: Buffer,
  opts: {
    returnPath: string;
    trace?: string;
    internalDate?: Date;
    verdict?: Verdict;
    /** the account's own verdict (its classifier), merged with `verdict` */
    accountVerdict?: (account: Account) => Promise<Verdict | undefined>;
  },
): Promise<LocalResult[]> {
  const seen = new Set<number>();
  const unique = accounts.filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
  const already = new Set(headerValues(raw, 'delivered-to').map((v) => v.toLowerCase()));
  return Promise.all(
    unique.map(async (account): Promise<LocalResult> => {
      // RFC 9228 §4: our own Delivered-To for this account already present = a forwarding loop
      if (already.has(account.address)) return { account, error: new StoreError('INVALID', 'mail loop: already delivered to ' + account.address) };
      try {
        const own = opts.accountVerdict ? await opts.accountVerdict(account).catch(() => undefined) : undefined;
        const verdict = mergeVerdicts(opts.verdict, own);
        const junk = verdict?.junk ? await ctx.store.getSpecialMailbox(account.id, '\\Junk') : null;
        const prefix =
          returnPathHeader(opts.returnPath) + deliveredToHeader(account.address) + (verdict ? spamHeaders(verdict) : '') + (opts.trace ?? '');
        const copy = Buffer.concat([Buffer.from(prefix, 'utf8'), raw]);
        const [r] = await ctx.store.deliver([{ accountId: account.id, mailboxId: junk?.id }], copy, { internalDate: opts.internalDate });
        if (!r) return { account, error: new StoreError('TEMP', 'store returned no result') };
        return 'error' in r ? { account, error: r.error } : { account, uid: r.uid };
      } catch (err) {
        return { account, error: err instanceof StoreError ? err : new StoreError('TEMP', String((err as Error)?.message ?? err)) };
      }
    }),
  );
}
