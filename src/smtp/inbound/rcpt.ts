/**
 * RCPT TO on port 25 (RFC 5321 §4.1.1.3): accept only addresses this server delivers to.
 * A domain that is not ours is refused as relaying (554 5.7.1, never an open relay,
 * RFC 5321 §3.6.2 / RFC 2505); an unknown address in our domain is 550 5.1.1.
 * Resolution (accounts, aliases, plus-addressing, catch-all) is the store's resolveRecipient.
 */
import type { ServerContext } from '../../context.js';
import { Replies } from '../core/errors.js';
import { domainOf, normalizeAddress, type ResolvedRecipient } from '../core/session.js';
import { isSrs, srsReverse, srsSecret } from '../core/srs.js';

/** @param declaredSize the SIZE the client announced at MAIL FROM (RFC 1870), if any */
export async function resolveInboundRecipient(ctx: ServerContext, address: string, declaredSize = 0): Promise<ResolvedRecipient> {
  let rcpt = normalizeAddress(address);
  // RFC 5321 §4.1.1.3: "Postmaster" without a domain must be accepted; it means our postmaster
  if (rcpt === 'postmaster') rcpt = `postmaster@${ctx.config.hostname.toLowerCase()}`;
  const domain = domainOf(rcpt);
  if (!domain || rcpt.startsWith('@')) throw Replies.badAddress();
  // a bounce (or reply) to an address we made with SRS goes back to the original sender
  const srsDomain = (ctx.config.smtp.srs_domain || ctx.config.hostname).toLowerCase();
  if (ctx.config.smtp.srs && domain === srsDomain && isSrs(rcpt)) {
    const original = srsReverse(address.trim(), await srsSecret(ctx.store, ctx.config.smtp.srs_secret));
    if (!original) throw Replies.unknownUser();
    return { rcpt, accounts: [], external: [original] };
  }
  // resolveRecipient finds nothing outside our domains (src/store/resolve.ts checks the domain
  // first), so the domain is looked up on its own only to tell a relay attempt from an unknown user
  const resolved = await ctx.store.resolveRecipient(rcpt);
  if (!resolved || (resolved.accounts.length === 0 && resolved.external.length === 0)) {
    if (!(await ctx.store.getDomain(domain))) throw Replies.relayDenied();
    throw Replies.unknownUser();
  }
  // full mailboxes are refused here, before the client sends the body (RFC 3463 4.2.2): the
  // sending server retries this recipient, nothing is accepted that cannot be stored, and no
  // bounce is ever needed. With SIZE declared, "full" means the message would not fit.
  if (resolved.external.length === 0 && resolved.accounts.length > 0) {
    let full = 0;
    for (const account of resolved.accounts)
      if (account.quotaBytes > 0 && (await ctx.store.usedBytes(account.id)) + Math.max(declaredSize, 1) > account.quotaBytes) full++;
    if (full === resolved.accounts.length) throw Replies.quotaTemp();
  }
  return { rcpt, accounts: resolved.accounts, external: resolved.external };
}
