/**
 * GET /.well-known/mta-sts.txt on the host mta-sts.<domain> for a domain hosted here: our
 * MTA-STS policy as text/plain (RFC 8461 §3.3). Senders fetch it over HTTPS only, so the
 * web listener must run with TLS (listeners.http.tls = "implicit", port 443) and a
 * certificate for mta-sts.<domain> (tls.sni). Any other host gets 404.
 */
import type { ServerContext } from '../context.js';
import { ownPolicyText } from '../smtp/mta-sts-policy.js';

export async function mtaStsPolicyFor(ctx: ServerContext, hostHeader: string | undefined): Promise<string | null> {
  const host = (hostHeader ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  if (!host.startsWith('mta-sts.')) return null;
  const domain = host.slice('mta-sts.'.length);
  if (!domain || !(await ctx.store.getDomain(domain))) return null;
  return ownPolicyText(ctx.config);
}
