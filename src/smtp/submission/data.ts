/**
 * DATA on submission (RFC 6409): refuse a header with bare CR or LF, bring the line breaks
 * to CRLF (what the outbound client sends, so what is checked and signed is what goes out),
 * require exactly one From: and at most one Sender:, every address in them the account's own
 * (§6.1), complete the message (Date, Message-ID, §8.2/§8.3), add our Received field,
 * DKIM-sign with the sender domain's key, deliver local recipients at once and queue the
 * rest. No copy goes to Sent: clients store their own copy with IMAP APPEND.
 */
import { randomBytes } from 'node:crypto';
import type { SMTPServerSession } from 'smtp-server';
import type { ServerContext } from '../../context.js';
import type { Account } from '../../store/types.js';
import { signatureFor } from '../core/dkim.js';
import { deliverLocal } from '../delivery/deliver.js';
import { Replies, storeErrorReply, type SmtpReplyError } from '../core/errors.js';
import { bareLineBreakInHeader, headerAddresses, headerValues, receivedHeader, rfc5322Date, wireLineEndings, withProtocol } from '../core/headers.js';
import { domainOf } from '../core/session.js';
import { ownsAddress } from '../core/owner.js';
import { sendDeliveredDsn, sendDsn } from '../queue/dsn.js';
import { envelopeFromSession, forRecipients, saveEnvelope, wants } from '../queue/envelope.js';

export interface SubmissionResult {
  local: number;
  queued: number;
  queueId: string | null;
}

export async function deliverSubmission(
  ctx: ServerContext,
  session: SMTPServerSession,
  account: Account,
  raw: Buffer,
): Promise<SubmissionResult> {
  const refuse = (reply: SmtpReplyError, why: string): never => {
    ctx.log.warn({ conn: session.id, user: account.address, result: reply.toString() }, `submission refused: ${why}`);
    throw reply;
  };
  if (bareLineBreakInHeader(raw)) refuse(Replies.bareLineBreak(), 'bare CR or LF in the message header');
  // from here on, the bytes are those the outbound client will send: checked, signed, stored and queued alike
  raw = wireLineEndings(raw);
  const fromFields = headerValues(raw, 'from').length;
  if (fromFields === 0) refuse(Replies.fromHeaderMissing(), 'no From: header');
  if (fromFields > 1 || headerValues(raw, 'sender').length > 1) refuse(Replies.fromHeaderRepeated(), 'more than one From: or Sender: field');
  const from = headerAddresses(raw, 'from');
  if (from.length === 0) refuse(Replies.fromHeaderMissing(), 'no address in the From: header');
  for (const a of from) if (!(await ownsAddress(ctx.store, account, a))) refuse(Replies.fromHeaderNotOwned(), `From: ${a.slice(0, 100)} is not owned by the account`);
  for (const a of headerAddresses(raw, 'sender'))
    if (!(await ownsAddress(ctx.store, account, a))) refuse(Replies.senderHeaderNotOwned(), `Sender: ${a.slice(0, 100)} is not owned by the account`);

  const now = new Date();
  let added = '';
  if (headerValues(raw, 'date').length === 0) added += `Date: ${rfc5322Date(now)}\r\n`;
  if (headerValues(raw, 'message-id').length === 0) added += `Message-ID: <${randomBytes(16).toString('hex')}@${ctx.config.hostname}>\r\n`;
  const cipher = session.tlsOptions || null;
  const received = receivedHeader({
    helo: session.hostNameAppearsAs || '',
    clientHostname: null,
    ip: session.remoteAddress,
    hostname: ctx.config.hostname,
    protocol: withProtocol({ utf8: !!session.envelope.smtpUtf8, tls: session.secure, auth: true }),
    tls: cipher ? `${cipher.version ?? cipher.standardName ?? ''}:${cipher.name}` : null,
    id: session.id,
    date: now,
  });
  const body = Buffer.concat([Buffer.from(received + added, 'utf8'), raw]);
  const signature = await signatureFor(ctx.store, domainOf(from[0]!), body, ctx.log);
  const message = signature ? Buffer.concat([Buffer.from(signature, 'utf8'), body]) : body;

  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : account.address;
  const localAccounts: Account[] = [];
  const remote: string[] = [];
  const params = envelopeFromSession(session.envelope as Parameters<typeof envelopeFromSession>[0]);
  const rcptOf = new Map<number, string>();
  for (const r of session.envelope.rcptTo) {
    const addr = r.address.toLowerCase();
    if (await ctx.store.getDomain(domainOf(addr))) {
      const resolved = await ctx.store.resolveRecipient(addr);
      if (resolved) {
        localAccounts.push(...resolved.accounts);
        for (const a of resolved.accounts) if (!rcptOf.has(a.id)) rcptOf.set(a.id, addr);
        remote.push(...resolved.external);
      }
    } else {
      remote.push(addr);
    }
  }
  const results = await deliverLocal(ctx, localAccounts, message, { returnPath: sender, rcptFor: rcptOf, poster: account });
  // a local recipient's Sieve reject (RFC 5429) is a refusal like a permanent store error; the sender is authenticated
  const failed = results.flatMap((r) =>
    'error' in r
      ? [{ account: r.account, address: r.account.address, reply: storeErrorReply(r.error) }]
      : 'rejected' in r
        ? [{ account: r.account, address: r.account.address, reply: Replies.sieveRejected(r.rejected) }]
        : [],
  );
  const uniqueRemote = [...new Set(remote)];
  // nothing delivered and nothing to queue: tell the client (one reply for the transaction)
  if (failed.length && failed.length === results.length && uniqueRemote.length === 0) throw failed[0]!.reply;
  const rcpt = (a: Account) => rcptOf.get(a.id) ?? a.address;
  const delivered = results.flatMap((r) => ('error' in r || 'rejected' in r ? [] : [{ account: r.account, rcpt: rcpt(r.account) }]));
  await sendDeliveredDsn(ctx, { to: sender, original: message, arrivalDate: now, params, delivered }).catch((err) =>
    ctx.log.error({ err: (err as Error).message }, 'could not send a success DSN'),
  );
  // local copies that failed temporarily (a full mailbox, a busy store) are queued with the
  // remote recipients and retried here by the queue runner: temporary stays temporary
  const retry = failed.filter((f) => f.reply.responseCode < 500);
  const permanent = failed.filter((f) => f.reply.responseCode >= 500);
  for (const f of failed) ctx.log.warn({ to: f.address, reply: f.reply.toString(), retried: f.reply.responseCode < 500 }, 'local copy of a submitted message not stored');
  if (permanent.length) {
    // the transaction succeeds for the others; the sender (our own user) learns about these by DSN (RFC 3464)
    const wanted = permanent
      .filter((f) => wants(params, rcpt(f.account), 'FAILURE'))
      .map((f) => ({ address: f.address, action: 'failed' as const, status: f.reply.enhanced, diagnostic: f.reply.toString(), remoteMta: ctx.config.hostname }));
    if (wanted.length)
      await sendDsn(ctx, { to: sender, original: message, arrivalDate: now, now, recipients: wanted, envid: params.envid, ret: params.ret }).catch((err) =>
      ctx.log.error({ err: (err as Error).message }, 'could not send a failure DSN for a partially delivered submission'),
    );
  }
  let queueId: string | null = null;
  const queued = [...uniqueRemote, ...retry.map((f) => f.address)];
  if (queued.length) {
    const item = await ctx.store.enqueue({ from: sender, recipients: queued, raw: message, accountId: account.id });
    await saveEnvelope(ctx.store, item.id, forRecipients(params, queued));
    ctx.metrics?.message('queued');
    queueId = item.id;
  }
  return { local: results.length - failed.length, queued: queued.length, queueId };
}
