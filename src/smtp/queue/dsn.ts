/**
 * Delivery Status Notifications (RFC 3464) in a multipart/report (RFC 6522): a human
 * part, a message/delivery-status part and the original's header (text/rfc822-headers),
 * or the whole original (message/rfc822) when the sender asked for RET=FULL (RFC 3461
 * §4.3). One DSN reports one kind of event: failure, delay, or success (delivered here,
 * or relayed to a server that does not do DSN), each sent only to senders who want it
 * (NOTIFY, ./envelope.ts); ENVID and ORCPT are returned as given.
 * Sent with the null sender (RFC 5321 §4.5.5) so that a DSN never causes another DSN,
 * and never sent for a message whose sender was the null sender.
 */
import { randomBytes } from 'node:crypto';
import type { ServerContext } from '../../context.js';
import { deliverLocal } from '../delivery/deliver.js';
import { headerText, rfc5322Date } from '../core/headers.js';
import { domainOf } from '../core/session.js';
import { wants, type EnvelopeParams } from './envelope.js';

export interface DsnRecipient {
  address: string;
  /** RFC 3464 §2.3.3 */
  action: 'failed' | 'delayed' | 'delivered' | 'relayed';
  /** ORCPT as the sender gave it ("rfc822;addr"), returned as Original-Recipient */
  orcpt?: string;
  /** RFC 3463 status, e.g. "5.1.1" */
  status: string;
  /** the remote server's reply, or our own explanation */
  diagnostic: string;
  /** "smtp" when the diagnostic is an SMTP reply from remoteMta */
  diagnosticType?: 'smtp' | 'x-letterbox';
  remoteMta?: string;
}

export interface DsnInput {
  hostname: string;
  /** envelope sender of the original = recipient of this DSN */
  to: string;
  original: Buffer;
  arrivalDate: Date;
  now: Date;
  recipients: DsnRecipient[];
  /** for delay warnings (RFC 3464 §2.3.9) */
  willRetryUntil?: Date;
  /** RFC 3461 ENVID, returned as Original-Envelope-Id */
  envid?: string;
  /** RFC 3461 RET: FULL returns the whole message, HDRS (default) its header */
  ret?: 'FULL' | 'HDRS';
}

/** RFC 3463 status from an SMTP reply ("550 5.1.1 no such user" → "5.1.1"), else from the reply class */
export function statusFromReply(reply: string, permanent: boolean): string {
  const m = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(reply.trim());
  if (m) return m[1]!;
  return permanent ? '5.0.0' : '4.0.0';
}

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();

export function dsnKind(recipients: DsnRecipient[]): 'failure' | 'delay' | 'success' {
  if (recipients.some((r) => r.action === 'failed')) return 'failure';
  return recipients.some((r) => r.action === 'delayed') ? 'delay' : 'success';
}

export function buildDsn(d: DsnInput): Buffer {
  const boundary = `=_letterbox_${randomBytes(12).toString('hex')}`;
  const kind = dsnKind(d.recipients);
  const subject =
    kind === 'failure' ? 'Undelivered Mail Returned to Sender' : kind === 'delay' ? 'Delayed Mail (still being retried)' : 'Successful Mail Delivery Report';
  const human =
    kind === 'failure'
      ? 'Your message could not be delivered to one or more recipients.\r\n' + 'This is a permanent error; the message will not be retried.\r\n'
      : kind === 'delay'
        ? 'Your message has not been delivered yet to one or more recipients.\r\n' +
          `It is still being retried${d.willRetryUntil ? ' until ' + rfc5322Date(d.willRetryUntil) : ''}; you do not need to resend it.\r\n`
        : 'Your message was delivered to the following recipients, as you asked to be told.\r\n' +
          'Where it says "relayed", it was handed to a server that sends no further notice.\r\n';
  const list = d.recipients.map((r) => `  <${r.address}>: ${oneLine(r.diagnostic)}\r\n`).join('');
  // RFC 3464 §2.2 per-message fields, §2.3 per-recipient fields
  const perMessage =
    `Reporting-MTA: dns; ${d.hostname}\r\n` + (d.envid ? `Original-Envelope-Id: ${oneLine(d.envid)}\r\n` : '') + `Arrival-Date: ${rfc5322Date(d.arrivalDate)}\r\n`;
  const perRecipient = d.recipients
    .map((r) => {
      let block = r.orcpt ? `Original-Recipient: ${oneLine(r.orcpt)}\r\n` : '';
      block += `Final-Recipient: rfc822; ${r.address}\r\nAction: ${r.action}\r\nStatus: ${r.status}\r\n`;
      if (r.remoteMta) block += `Remote-MTA: dns; ${r.remoteMta}\r\n`;
      if (r.diagnostic) block += `Diagnostic-Code: ${r.diagnosticType ?? 'smtp'}; ${oneLine(r.diagnostic)}\r\n`;
      block += `Last-Attempt-Date: ${rfc5322Date(d.now)}\r\n`;
      if (r.action === 'delayed' && d.willRetryUntil) block += `Will-Retry-Until: ${rfc5322Date(d.willRetryUntil)}\r\n`;
      return block;
    })
    .join('\r\n');
  const headers = headerText(d.original).replace(/\r?\n/g, '\r\n').replace(/(\r\n)+$/, '\r\n');
  const msg =
    `From: Mail Delivery System <MAILER-DAEMON@${d.hostname}>\r\n` +
    `To: <${d.to}>\r\n` +
    `Subject: ${subject}\r\n` +
    `Date: ${rfc5322Date(d.now)}\r\n` +
    `Message-ID: <${randomBytes(12).toString('hex')}@${d.hostname}>\r\n` +
    'Auto-Submitted: auto-replied\r\n' + // RFC 3834 §5
    'MIME-Version: 1.0\r\n' +
    `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"\r\n` +
    '\r\n' +
    'This is a MIME-encapsulated message.\r\n' +
    `\r\n--${boundary}\r\n` +
    'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
    human +
    '\r\n' +
    list +
    `\r\n--${boundary}\r\n` +
    'Content-Type: message/delivery-status\r\n\r\n' +
    perMessage +
    '\r\n' +
    perRecipient +
    `\r\n--${boundary}\r\n` +
    (d.ret === 'FULL' ? 'Content-Type: message/rfc822\r\n\r\n' : 'Content-Type: text/rfc822-headers\r\n\r\n' + headers + `\r\n--${boundary}--\r\n`);
  if (d.ret !== 'FULL') return Buffer.from(msg, 'utf8');
  const body = d.original.toString('latin1').replace(/\r?\n/g, '\r\n');
  return Buffer.concat([Buffer.from(msg, 'utf8'), Buffer.from(body + (body.endsWith('\r\n') ? '' : '\r\n') + `\r\n--${boundary}--\r\n`, 'latin1')]);
}

/**
 * Sends a DSN to `input.to`: delivered locally when the sender is one of our addresses,
 * queued otherwise (envelope sender <>). Does nothing for the null sender.
 */
export async function sendDsn(ctx: ServerContext, input: Omit<DsnInput, 'hostname'>): Promise<void> {
  if (!input.to) return; // RFC 3464 §2 / RFC 5321 §4.5.5: never answer the null sender
  const raw = buildDsn({ ...input, hostname: ctx.config.hostname });
  const log = ctx.log.child({ component: 'dsn' });
  const kind = dsnKind(input.recipients);
  if (await ctx.store.getDomain(domainOf(input.to))) {
    // our own domain: deliver here, never through the queue back to ourselves
    const local = await ctx.store.resolveRecipient(input.to);
    if (!local || (local.accounts.length === 0 && local.external.length === 0)) {
      log.warn({ to: input.to, kind }, `${kind} DSN dropped: the sender address does not exist here`);
      return;
    }
    const results = await deliverLocal(ctx, local.accounts, raw, { returnPath: '' });
    for (const r of results) {
      if ('error' in r) log.warn({ to: r.account.address, code: r.error.code }, `could not deliver ${kind} DSN locally: ${r.error.message}`);
      else if ('rejected' in r) log.info({ to: r.account.address }, `${kind} DSN refused by ${r.account.address}'s Sieve script`);
    }
    if (local.external.length) {
      await ctx.store.enqueue({ from: '', recipients: local.external, raw, accountId: null });
      ctx.metrics?.message('queued');
    }
  } else {
    await ctx.store.enqueue({ from: '', recipients: [input.to], raw, accountId: null });
    ctx.metrics?.message('queued');
  }
  log.info({ to: input.to, kind, recipients: input.recipients.map((r) => r.address) }, `${kind} DSN sent`);
}

/**
 * Success notices for copies stored here (RFC 3461 §6.2: action "delivered"), for the
 * recipients whose NOTIFY asked for SUCCESS. `rcptOf` maps an account to the RCPT address
 * that reached it (an alias or plus-address keeps the sender's parameters).
 */
export async function sendDeliveredDsn(
  ctx: ServerContext,
  input: { to: string; original: Buffer; arrivalDate: Date; params: EnvelopeParams; delivered: Array<{ account: { address: string }; rcpt: string }> },
): Promise<void> {
  const recipients: DsnRecipient[] = input.delivered
    .filter((d) => wants(input.params, d.rcpt, 'SUCCESS'))
    .map((d) => ({ address: d.account.address, action: 'delivered', status: '2.0.0', diagnostic: '', orcpt: input.params.rcpt?.[d.rcpt.toLowerCase()]?.orcpt }));
  if (!recipients.length) return;
  await sendDsn(ctx, { to: input.to, original: input.original, arrivalDate: input.arrivalDate, now: new Date(), recipients, envid: input.params.envid, ret: input.params.ret });
}
