/**
 * What a DMARC failure does (RFC 7489 §6.6.4, §6.3 "pct"): `p=reject` refuses the message
 * at the end of DATA (550 5.7.1), `p=quarantine` files it into the recipient's Junk
 * mailbox; `pct` below 100 applies the policy to that share of failing messages and the
 * next weaker one to the rest (reject → quarantine → none). A message whose ARC chain
 * validates (RFC 8617) and was last sealed by a forwarder trusted for the recipient's
 * domain (mailing lists, forwarding services) is accepted as if DMARC passed: forwarding
 * breaks SPF and often DKIM, and the forwarder's seal vouches for what it saw.
 *
 * Trust is per local domain: `dmarc.domains."<domain>".trusted_forwarders` when the domain
 * has its own list (it replaces the server-wide one; empty trusts nobody), else
 * `dmarc.trusted_forwarders`. One message with recipients in several domains gets one SMTP
 * reply, so it is refused only when every recipient's domain refuses it; otherwise the
 * copies for domains that would refuse or quarantine it go to Junk.
 */
import type { Config } from '../../config/schema.js';
import type { DmarcOutcome, VerifyResult } from '../core/authresults.js';
import { aLabel } from '../../net/dns-name.js';

export type DmarcAction = { kind: 'accept' } | { kind: 'quarantine' | 'reject'; reason: string };

type Outcome = { dmarc: Pick<DmarcOutcome, 'result' | 'policy' | 'pct' | 'domain'> | null; arc: VerifyResult['arc'] };

/** the forwarders trusted for mail to `domain` (a local domain): its own list when configured, else the server-wide one */
export function trustedForwarders(cfg: Pick<Config['dmarc'], 'trusted_forwarders' | 'domains'>, domain: string): string[] {
  const want = aLabel(domain);
  for (const [name, own] of Object.entries(cfg.domains)) if (aLabel(name) === want) return own.trusted_forwarders;
  return cfg.trusted_forwarders;
}

/** the action for one list of trusted forwarders */
export function dmarcAction(v: Outcome, cfg: { enforce: boolean; trusted_forwarders: string[] }, random: () => number = Math.random): DmarcAction {
  const d = v.dmarc;
  if (!cfg.enforce || !d || d.result !== 'fail' || !d.policy || d.policy === 'none') return { kind: 'accept' };
  const sealer = v.arc?.result === 'pass' ? v.arc.sealer : undefined;
  if (sealer && cfg.trusted_forwarders.some((f) => sealer === f.toLowerCase() || sealer.endsWith('.' + f.toLowerCase()))) return { kind: 'accept' };
  let policy: 'quarantine' | 'reject' | 'none' = d.policy;
  const pct = d.pct ?? 100;
  if (pct < 100 && random() * 100 >= pct) policy = policy === 'reject' ? 'quarantine' : 'none';
  if (policy === 'none') return { kind: 'accept' };
  return { kind: policy, reason: `DMARC policy of ${d.domain ?? 'the sender domain'} (p=${d.policy}${pct < 100 ? ' pct=' + pct : ''})` };
}

export interface DmarcDecision {
  /** every recipient's domain refuses the message: 550 5.7.1 with this reason */
  reject?: string;
  /** recipients (RCPT addresses as given) whose copies go to Junk, with the X-Spam-Status reason */
  junk: Map<string, string>;
  /** the strongest action taken, for our aggregate reports (policy_evaluated/disposition) */
  disposition: 'none' | 'quarantine' | 'reject';
}

/** what the message's DMARC outcome does to each recipient; one pct draw for the whole message */
export function dmarcDecision(v: Outcome, cfg: Config['dmarc'], rcpts: string[], random: () => number = Math.random): DmarcDecision {
  const draw = random();
  const byDomain = new Map<string, DmarcAction>();
  const actionFor = (rcpt: string) => {
    const domain = rcpt.slice(rcpt.lastIndexOf('@') + 1).toLowerCase();
    let a = byDomain.get(domain);
    if (!a) byDomain.set(domain, (a = dmarcAction(v, { enforce: cfg.enforce, trusted_forwarders: trustedForwarders(cfg, domain) }, () => draw)));
    return a;
  };
  const actions = rcpts.map((r) => [r, actionFor(r)] as const);
  const first = actions[0]?.[1];
  if (first && first.kind === 'reject' && actions.every(([, a]) => a.kind === 'reject')) return { reject: first.reason, junk: new Map(), disposition: 'reject' };
  const junk = new Map(actions.filter(([, a]) => a.kind !== 'accept').map(([r, a]) => [r, `dmarc=${a.kind}`]));
  return { junk, disposition: junk.size ? 'quarantine' : 'none' };
}
