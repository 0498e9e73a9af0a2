/**
 * Inbound sender authentication (port 25): SPF (RFC 7208), DKIM (RFC 6376) and DMARC
 * (RFC 7489) verified by mailauth, reported in Authentication-Results (RFC 8601) and
 * Received-SPF fields that are prepended to the stored copy. DNS goes through the
 * injectable resolver (./dns.ts). A verification error never blocks delivery: the
 * message gets "Authentication-Results: <host>; none" with the reason in a comment.
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
}

/** header fields to prepend (CRLF-terminated), never throws */
export async function verifyInbound(v: VerifyInput): Promise<string> {
  try {
    const res = await authenticate(v.raw, {
      ip: v.ip,
      helo: v.helo,
      sender: v.sender,
      mta: v.hostname,
      resolver: v.resolver as unknown as DNSResolver,
      disableArc: true,
      disableBimi: true,
    });
    const headers = res.headers.replace(/\r?\n/g, '\r\n');
    return headers.endsWith('\r\n') ? headers : headers + '\r\n';
  } catch (err) {
    v.log.warn({ err: (err as Error).message }, 'SPF/DKIM/DMARC verification failed; delivering with Authentication-Results: none');
    return `Authentication-Results: ${v.hostname}; none (verification error)\r\n`;
  }
}
