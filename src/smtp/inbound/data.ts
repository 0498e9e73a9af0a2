/**
 * DATA on port 25 (RFC 5321 §4.1.1.4): prepend the trace fields, verify the sender
 * (SPF/DKIM/DMARC), deliver one copy per local account and queue alias destinations
 * outside our domains. 250 is sent only after every local copy is committed.
 *
 * Partial failure: with several recipients and one DATA reply (RFC 5321 has no
 * per-recipient DATA reply outside LMTP), the message is accepted when at least one copy
 * was stored and a failure DSN goes to the sender for the others; when nothing could be
 * stored the reply is the mapped error of the first failure.
 */
import type { SMTPServerSession } from 'smtp-server';
import type { ServerContext } from '../../context.js';
import type { Account } from '../../store/types.js';
import { verifyInbound } from '../authresults.js';
import type { DnsResolver } from '../dns.js';
import { deliverLocal } from '../deliver.js';
import { Replies, storeErrorReply } from '../errors.js';
import { headerValues, receivedHeader, stripOwnAuthResults, withProtocol } from '../headers.js';
import { sendDsn } from '../queue/dsn.js';
import type { Transaction } from '../session.js';

/** RFC 5321 §6.3: a message with this many Received fields is looping */
const MAX_HOPS = 50;

export interface InboundResult {
  stored: number;
  queued: number;
  failed: number;
}

export async function deliverInbound(
  ctx: ServerContext,
  session: SMTPServerSession,
  txn: Transaction,
  raw: Buffer,
  resolver: DnsResolver,
): Promise<InboundResult> {
  if (headerValues(raw, 'received').length >= MAX_HOPS) throw Replies.loop();
  raw = stripOwnAuthResults(raw, ctx.config.hostname);
  const now = new Date();
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const cipher = session.tlsOptions || null;
  const received = receivedHeader({
    helo: session.hostNameAppearsAs || '',
    clientHostname: session.clientHostname && session.clientHostname !== `[${session.remoteAddress}]` ? session.clientHostname : null,
    ip: session.remoteAddress,
    hostname: ctx.config.hostname,
    protocol: withProtocol({ utf8: !!session.envelope.smtpUtf8, tls: session.secure, auth: false }),
    tls: cipher ? `${cipher.version ?? cipher.standardName ?? ''}:${cipher.name}` : null,
    id: session.id,
    forAddress: txn.recipients.length === 1 ? txn.recipients[0]!.rcpt : undefined,
    date: now,
  });
  const auth = ctx.config.smtp.verify_inbound
    ? await verifyInbound({
        raw: Buffer.concat([Buffer.from(received), raw]),
        ip: session.remoteAddress,
        helo: session.hostNameAppearsAs || '',
        sender,
        hostname: ctx.config.hostname,
        resolver,
        log: ctx.log,
      })
    : '';
  const trace = auth + received; // topmost first: our verdict above our Received

  const accounts: Account[] = txn.recipients.flatMap((r) => r.accounts);
  const external = [...new Set(txn.recipients.flatMap((r) => r.external))];

  const results = await deliverLocal(ctx, accounts, raw, { returnPath: sender, trace });
  let queued = 0;
  const failures: Array<{ address: string; reply: ReturnType<typeof storeErrorReply> }> = [];
  for (const r of results) if ('error' in r) failures.push({ address: r.account.address, reply: storeErrorReply(r.error) });
  if (external.length) {
    try {
      // forwarded copies keep the original sender (no SRS): SPF may fail at the destination
      await ctx.store.enqueue({ from: sender, recipients: external, raw: Buffer.concat([Buffer.from(trace), raw]), accountId: null });
      queued = external.length;
    } catch (err) {
      for (const address of external) failures.push({ address, reply: storeErrorReply(err) });
    }
  }
  const stored = results.length - results.filter((r) => 'error' in r).length;
  if (stored === 0 && queued === 0 && failures.length) throw failures[0]!.reply;
  if (failures.length) {
    await sendDsn(ctx, {
      to: sender,
      original: raw,
      arrivalDate: now,
      now,
      recipients: failures.map((f) => ({
        address: f.address,
        action: 'failed' as const,
        status: f.reply.enhanced.replace(/^4\./, '5.'), // not retried: a failed action is permanent (RFC 3464 §2.3.4)
        diagnostic: f.reply.toString(),
        remoteMta: ctx.config.hostname,
      })),
    }).catch((err) => ctx.log.error({ err: (err as Error).message }, 'could not send a failure DSN for a partially delivered message'));
  }
  return { stored, queued, failed: failures.length };
}
