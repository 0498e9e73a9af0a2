/**
 * The spam verdict one delivery carries: from rspamd (./rspamd.ts), DMARC quarantine
 * (src/smtp/inbound/dmarc.ts) and, per account, the built-in classifier (./bayes/). It
 * decides the default target (the account's \Junk mailbox when `junk`, never a silent
 * drop) and the X-Spam-* fields prepended to the stored copy. Sieve (RFC 5235 spamtest)
 * reads `spamScore` / `spamThreshold`.
 */

export interface Verdict {
  /** file into \Junk by default */
  junk: boolean;
  /** higher = more likely spam; on the scale of spamThreshold */
  spamScore?: number;
  /** score at or above which a message counts as spam */
  spamThreshold?: number;
  /** what said so, for X-Spam-Status (e.g. "rspamd", "dmarc=quarantine", "bayes=0.99") */
  reasons?: string[];
  /** Subject to use instead of the original (rspamd "rewrite subject") */
  subject?: string;
}

/** one verdict from several (message-level and per-account): junk if any says so, the highest score */
export function mergeVerdicts(...vs: Array<Verdict | null | undefined>): Verdict | undefined {
  const list = vs.filter((v): v is Verdict => !!v);
  if (!list.length) return undefined;
  const scored = list.filter((v) => v.spamScore !== undefined && v.spamThreshold !== undefined);
  // compare scores relative to their own thresholds; keep the worst one's pair
  const worst = scored.sort((a, b) => b.spamScore! / (b.spamThreshold! || 1) - a.spamScore! / (a.spamThreshold! || 1))[0];
  return {
    junk: list.some((v) => v.junk),
    spamScore: worst?.spamScore,
    spamThreshold: worst?.spamThreshold,
    reasons: list.flatMap((v) => v.reasons ?? []),
    subject: list.find((v) => v.subject !== undefined)?.subject,
  };
}

const fmt = (n: number) => (Math.round(n * 100) / 100).toFixed(2);
const clean = (s: string) => s.replace(/[\x00-\x1f\x7f;]/g, ' ').trim();

/** X-Spam-* fields (CRLF-terminated) for a verdict */
export function spamHeaders(v: Verdict): string {
  let out = '';
  if (v.junk) out += 'X-Spam-Flag: YES\r\n';
  // SpamAssassin's layout, which filters and clients already parse: "Yes, score=6.00 required=5.00 tests=A,B"
  const parts: string[] = [];
  if (v.spamScore !== undefined) parts.push(`score=${fmt(v.spamScore)}`);
  if (v.spamThreshold !== undefined) parts.push(`required=${fmt(v.spamThreshold)}`);
  if (v.reasons?.length) parts.push(`tests=${v.reasons.map(clean).join(',')}`);
  out += `X-Spam-Status: ${v.junk ? 'Yes' : 'No'}${parts.length ? ', ' + parts.join(' ') : ''}\r\n`;
  if (v.spamScore !== undefined) out += `X-Spam-Score: ${fmt(v.spamScore)}\r\n`;
  return out;
}

/**
 * Removes X-Spam-* fields the sender put in (they would otherwise pass for our verdict,
 * as with Authentication-Results, RFC 8601 §5) and, for "rewrite subject", replaces the
 * Subject field. Every other byte is kept.
 */
export function stripSpamHeaders(raw: Buffer, headerEnd: number, newSubject?: string): Buffer {
  const header = raw.subarray(0, headerEnd).toString('latin1');
  const fields = header.match(/[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*/g) ?? [];
  let changed = false;
  const kept: string[] = [];
  for (const f of fields) {
    if (/^x-spam-(flag|status|score|level)[ \t]*:/i.test(f)) {
      changed = true;
      continue;
    }
    if (newSubject !== undefined && /^subject[ \t]*:/i.test(f)) {
      changed = true;
      kept.push(`Subject: ${Buffer.from(clean(newSubject), 'utf8').toString('latin1')}\r\n`);
      newSubject = undefined;
      continue;
    }
    kept.push(f);
  }
  if (!changed) return raw;
  return Buffer.concat([Buffer.from(kept.join(''), 'latin1'), raw.subarray(headerEnd)]);
}
