/**
 * Vacation replies (RFC 5230, RFC 6131) at delivery: at most one per sender and handle
 * per period (tracked in the store's keyed state, atomically, so two deliveries at once
 * send one reply), built per RFC 3834 §3 (Auto-Submitted: auto-replied, In-Reply-To,
 * References, null envelope sender so nothing answers it), DKIM-signed with the sending
 * domain's key, and sent through the outbound queue (or delivered here for our own
 * addresses). :from is used only when the account owns that address.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ServerContext } from '../../context.js';
import type { SieveAction } from '../../sieve/index.js';
import type { Account } from '../../store/types.js';
import { signatureFor } from '../core/dkim.js';
import { rfc5322Date } from '../core/headers.js';
import { domainOf } from '../core/session.js';
import { ownsAddress } from '../core/owner.js';
import { VACATION_NS } from './context.js';
import type { DeliverLocal } from './types.js';

type Vacation = Extract<SieveAction, { type: 'vacation' }>;

// eslint-disable-next-line no-control-regex
const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);
const encodeWord = (s: string) => (isAscii(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`);
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();

export function buildVacationReply(v: Vacation, from: string, hostname: string, now: Date): Buffer {
  let head =
    `From: <${from}>\r\n` +
    `To: <${v.to}>\r\n` +
    `Subject: ${encodeWord(oneLine(v.subject).slice(0, 500))}\r\n` +
    `Date: ${rfc5322Date(now)}\r\n` +
    `Message-ID: <${randomBytes(12).toString('hex')}@${hostname}>\r\n`;
  if (v.messageId) {
    head += `In-Reply-To: ${oneLine(v.messageId)}\r\n`;
    head += `References: ${oneLine(`${v.references ?? ''} ${v.messageId}`)}\r\n`;
  }
  head += 'Auto-Submitted: auto-replied (vacation)\r\nMIME-Version: 1.0\r\n';
  const reason = v.reason.replace(/\r?\n/g, '\r\n');
  if (v.mime) return Buffer.from(head + reason + (reason.endsWith('\r\n') ? '' : '\r\n'), 'utf8');
  const body = reason.endsWith('\r\n') ? reason : reason + '\r\n';
  return Buffer.from(head + 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' + body, 'utf8');
}

export type VacationOutcome = 'sent' | 'already-replied';

export async function sendVacation(ctx: ServerContext, account: Account, v: Vacation, deliverLocal: DeliverLocal): Promise<VacationOutcome> {
  const to = v.to.toLowerCase();
  const key = createHash('sha256').update(`${v.handle}\0${to}`).digest('base64url');
  // atomic: of two deliveries at once, one sees 1
  if ((await ctx.store.kvAdd(VACATION_NS, account.id, key, 1, { durable: false })) !== 1) return 'already-replied';
  await ctx.store.kvSet(VACATION_NS, account.id, [{ key, value: '1', expiresAt: new Date(Date.now() + v.seconds * 1000) }]);

  const from = v.from && (await ownsAddress(ctx.store, account, v.from)) ? v.from.toLowerCase() : account.address;
  const unsigned = buildVacationReply(v, from, ctx.config.hostname, new Date());
  const signature = await signatureFor(ctx.store, domainOf(from), unsigned, ctx.log);
  const raw = signature ? Buffer.concat([Buffer.from(signature), unsigned]) : unsigned;
  if (await ctx.store.getDomain(domainOf(to))) {
    const local = await ctx.store.resolveRecipient(to);
    if (local?.accounts.length) await deliverLocal(local.accounts, raw, { returnPath: '' });
    if (local?.external.length) await ctx.store.enqueue({ from: '', recipients: local.external, raw, accountId: account.id });
  } else {
    await ctx.store.enqueue({ from: '', recipients: [to], raw, accountId: account.id });
  }
  return 'sent';
}
