/**
 * What a DMARC failure does (RFC 7489 §6.6.4, §6.3 "pct"): `p=reject` refuses the message
 * at the end of DATA (550 5.7.1), `p=quarantine` files it into the recipient's Junk
 * mailbox; `pct` below 100 applies the policy to that share of failing messages and the
 * next weaker one to the rest (reject → quarantine → none). A message whose ARC chain
 * validates (RFC 8617) and was last sealed by a forwarder in `dmarc.trusted_forwarders`
 * (mailing lists, forwarding services the operator trusts) is accepted as if DMARC passed:
 * forwarding breaks SPF and often DKIM, and the forwarder's seal vouches for what it saw.
 */
import type { DmarcOutcome, VerifyResult } from '../authresults.js';

export type DmarcAction = { kind: 'accept' } | { kind: 'quarantine' | 'reject'; reason: string };

export function dmarcAction(
  v: { dmarc: Pick<DmarcOutcome, 'result' | 'policy' | 'pct' | 'domain'> | null; arc: VerifyResult['arc'] },
  cfg: { enforce: boolean; trusted_forwarders: string[] },
  random: () => number = Math.random,
): DmarcAction {
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
