/**
 * Our MTA-STS policy (RFC 8461 §3.3): GET /.well-known/mta-sts.txt on the host
 * mta-sts.<domain> of a domain hosted here answers the policy as text/plain, on the http
 * and https listeners alike. Senders fetch it only over HTTPS with a certificate valid for
 * that name: ACME orders mta-sts.<domain> of every domain (src/net/acme.ts, in the same
 * ASCII form the Host header carries), or tls.sni names one. Any other Host gets 404, so
 * the policy is never claimed for a domain not served here. No sign-in; the text is
 * ownPolicyText (src/smtp/mta-sts-policy.ts), whose id `letterbox dns` publishes.
 */
import { domainToUnicode } from 'node:url';
import type { ServerContext } from '../../context.js';
import { MTA_STS_PATH, ownPolicyText } from '../../smtp/mta-sts-policy.js';
import type { WebFeature } from '../kit/types.js';

const PREFIX = 'mta-sts.';

/** the hosted domain whose policy host `hostHeader` names, or null */
export async function mtaStsDomain(ctx: ServerContext, hostHeader: string | undefined): Promise<string | null> {
  const host = (hostHeader ?? '').trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  if (!host.startsWith(PREFIX)) return null;
  const ascii = host.slice(PREFIX.length);
  if (!ascii) return null;
  // a domain kept in Unicode (IDN) is asked for by its A-label (xn--…) in the Host header
  for (const name of new Set([ascii, domainToUnicode(ascii)])) {
    const d = name ? await ctx.store.getDomain(name) : null;
    if (d) return d.name;
  }
  return null;
}

export const mtaStsPolicy: WebFeature = {
  name: 'mta-sts',
  routes(app, ctx) {
    app.get(MTA_STS_PATH, async (c) => {
      const host = c.req.header('host');
      if (!(await mtaStsDomain(ctx, host))) {
        return c.text(`no MTA-STS policy for ${host ?? 'this host'} (it is served on mta-sts.<a domain hosted here>)\n`, 404);
      }
      return c.text(ownPolicyText(ctx.config));
    });
  },
};
