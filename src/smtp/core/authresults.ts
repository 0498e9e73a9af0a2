/**
 * Inbound sender authentication (port 25): SPF (RFC 7208), DKIM (RFC 6376), ARC (RFC 8617)
 * and DMARC (RFC 7489) verified by mailauth, reported in Authentication-Results (RFC 8601)
 * and Received-SPF fields that are prepended to the stored copy. DNS goes through the
 * configured resolver (./dns.ts). A verification error never blocks delivery: the
 * message gets "Authentication-Results: <host>; none" with the reason in a comment.
 *
 * With `seal` (a domain key), mailauth also makes ARC-Seal, ARC-Message-Signature and
 * ARC-Authentication-Results for the copies we forward (RFC 8617 §5.1), returned apart
 * from the trace fields so that only forwarded copies carry them.
 */
import { authenticate, type DNSResolver } from 'mailauth';
import type { Logger } from 'pino';
import type { DnsResolver } from './dns.js';

export interface VerifyInput {
  raw: Buffer;
  ip: string;
  helo: string;
  sender: string;
  hostname: string;
  resolver: DnsResolver;
  log: Logger;
  seal?: { signingDomain: string; selector: string; privateKey: string };
}

export interface DmarcOutcome {
  result: string;
  /** the policy that applies (sp for a subdomain), when the result is "fail" */
  policy?: 'none' | 'quarantine' | 'reject';
  pct?: number;
  /** the RFC5322.From domain */
  domain?: string;
  /** an aligned DKIM / SPF pass (what aggregate reports call policy_evaluated dkim/spf) */
  dkimAligned: boolean;
  spfAligned: boolean;
}

export interface ArcOutcome {
  result: string;
  /** d= of the newest ARC-Message-Signature, when the chain validated */
  sealer?: string;
}

export interface VerifyResult {
  /** Received-SPF and Authentication-Results fields to prepend (CRLF-terminated) */
  trace: string;
  /** ARC set for forwarded copies ("" without `seal` or when the chain is broken) */
  arcSet: string;
  dmarc: DmarcOutcome | null;
  arc: ArcOutcome | null;
  spf: string | null;
}

function fields(block: string): string[] {
  return block.replace(/\r?\n/g, '\r\n').match(/[^\r\n]+\r\n(?:[ \t][^\r\n]*\r\n)*/g) ?? [];
}

/** never throws */
export async function verifyInbound(v: VerifyInput): Promise<VerifyResult> {
  try {
    const res = await authenticate(v.raw, {
      ip: v.ip,
      helo: v.helo,
      sender: v.sender,
      mta: v.hostname,
      resolver: v.resolver as unknown as DNSResolver,
      disableBimi: true,
      ...(v.seal ? { seal: v.seal } : {}),
    } as Parameters<typeof authenticate>[1]);
    let block = res.headers.replace(/\r?\n/g, '\r\n');
    if (!block.endsWith('\r\n')) block += '\r\n';
    const all = fields(block);
    const arcSet = all.filter((f) => /^arc-/i.test(f)).join('');
    const trace = all.filter((f) => !/^arc-/i.test(f)).join('');
    const d = res.dmarc as unknown as
      | { status?: { result?: string; header?: { from?: string } }; policy?: string; pct?: number; domain?: string; alignment?: { spf?: { result?: unknown }; dkim?: { result?: unknown } } }
      | false;
    const a = res.arc as unknown as { status?: { result?: string }; signature?: { signingDomain?: string } | false } | false;
    return {
      trace,
      arcSet,
      dmarc: d
        ? {
            result: d.status?.result ?? 'none',
            policy: (['none', 'quarantine', 'reject'] as const).find((p) => p === d.policy?.toLowerCase()),
            pct: typeof d.pct === 'number' ? d.pct : undefined,
            domain: d.status?.header?.from ?? d.domain,
            dkimAligned: !!d.alignment?.dkim?.result,
            spfAligned: !!d.alignment?.spf?.result,
          }
        : null,
      arc: a ? { result: a.status?.result ?? 'none', sealer: a.signature ? a.signature.signingDomain?.toLowerCase() : undefined } : null,
      spf: (res.spf as unknown as { status?: { result?: string } } | false) ? ((res.spf as unknown as { status: { result: string } }).status.result ?? null) : null,
    };
  } catch (err) {
    v.log.warn({ err: (err as Error).message }, 'SPF/DKIM/DMARC verification failed; delivering with Authentication-Results: none');
    return { trace: `Authentication-Results: ${v.hostname}; none (verification error)\r\n`, arcSet: '', dmarc: null, arc: null, spf: null };
  }
}
