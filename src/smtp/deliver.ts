/**
 * Final delivery into local mailboxes: one store.deliver() for every account, one parse.
 * Each account's copy is its own prefix (Return-Path, the Delivered-To field of RFC 9228
 * naming that account, spam fields, the trace fields) followed by the message; the store
 * indexes the message once and places each prefix by offset (src/mime/prefix.ts), so a
 * message to 100 recipients is parsed once, not 100 times, and no copy is held longer than
 * its insert. Resolves only after every copy is committed (SMTP 250 means durable).
 *
 * Spam: `verdict` (message-level: rspamd, DMARC quarantine) and `accountVerdict` (per
 * account: the built-in classifier) are merged; the X-Spam-* fields go into the copy and a
 * junk verdict makes the account's \Junk mailbox (SPECIAL-USE) the default target instead
 * of INBOX (INBOX when the account has none). Spam is never dropped.
 */
import type { ServerContext } from '../context.js';
import { StoreError, type Account, type MailboxId } from '../store/types.js';
import { deliveredToHeader, headerValues, returnPathHeader } from './headers.js';
import { mergeVerdicts, spamHeaders, type Verdict } from '../spam/verdict.js';
import type { MimeIndex } from '../mime/types.js';

export type LocalResult = { account: Account; uid: number } | { account: Account; error: StoreError };

const asStoreError = (err: unknown): StoreError =>
  err instanceof StoreError ? err : new StoreError('TEMP', String((err as Error)?.message ?? err));

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
    /** the MIME index of `raw`, when the caller has it (handed to the store) */
    index?: MimeIndex;
    verdict?: Verdict;
    /** the account's own verdict (its classifier), merged with `verdict` */
    accountVerdict?: (account: Account) => Promise<Verdict | undefined>;
  },
): Promise<LocalResult[]> {
  const seen = new Set<number>();
  const unique = accounts.filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
  const already = new Set(headerValues(raw, 'delivered-to').map((v) => v.toLowerCase()));
  const results = new Map<number, LocalResult>();
  const targets = (
    await Promise.all(
      unique.map(async (account): Promise<{ account: Account; prefix: Buffer; mailboxId?: MailboxId } | null> => {
        // RFC 9228 §4: our own Delivered-To for this account already present = a forwarding loop
        if (already.has(account.address)) {
          results.set(account.id, { account, error: new StoreError('INVALID', 'mail loop: already delivered to ' + account.address) });
          return null;
        }
        try {
          const own = opts.accountVerdict ? await opts.accountVerdict(account).catch(() => undefined) : undefined;
          const verdict = mergeVerdicts(opts.verdict, own);
          const junk = verdict?.junk ? await ctx.store.getSpecialMailbox(account.id, '\\Junk') : null;
          const prefix =
            returnPathHeader(opts.returnPath) + deliveredToHeader(account.address) + (verdict ? spamHeaders(verdict) : '') + (opts.trace ?? '');
          return { account, prefix: Buffer.from(prefix, 'utf8'), mailboxId: junk?.id };
        } catch (err) {
          results.set(account.id, { account, error: asStoreError(err) });
          return null;
        }
      }),
    )
  ).filter((t) => t !== null);
  if (targets.length) {
    try {
      const stored = await ctx.store.deliver(
        targets.map((t) => ({ accountId: t.account.id, mailboxId: t.mailboxId, prefix: t.prefix })),
        raw,
        { internalDate: opts.internalDate, index: opts.index },
      );
      targets.forEach(({ account }, i) => {
        const r = stored[i];
        results.set(account.id, !r ? { account, error: new StoreError('TEMP', 'store returned no result') } : 'error' in r ? { account, error: r.error } : { account, uid: r.uid });
      });
    } catch (err) {
      for (const { account } of targets) results.set(account.id, { account, error: asStoreError(err) });
    }
  }
  const ordered = unique.map((a) => results.get(a.id)!);
  ctx.metrics?.message('delivered', ordered.filter((r) => 'uid' in r).length);
  return ordered;
}
