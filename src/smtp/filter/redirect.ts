/**
 * Sieve redirect (RFC 5228 §4.2) at delivery. The copy goes out with the original
 * envelope sender through the same path as alias forwarding: delivered here when the
 * address is one of ours (its own script runs), else queued (the outbound path applies SRS
 * to forwarded mail). Loops stop in three places:
 *  - the copy carries "X-Sieve-Redirected-From: <account>"; an account never redirects a
 *    message that already names it there (the message is kept instead);
 *  - Delivered-To (RFC 9228) refuses a copy that comes back to an account it passed;
 *  - the same message (Message-ID) is redirected to the same address once per day.
 */
import { createHash } from 'node:crypto';
import type { ServerContext } from '../../context.js';
import { parseHeaderBlock } from '../../mime/header.js';
import type { Account } from '../../store/types.js';
import { domainOf } from '../core/session.js';
import { DUPLICATE_NS } from './context.js';
import type { DeliverLocal } from './types.js';

export const LOOP_FIELD = 'X-Sieve-Redirected-From';
const ONCE_MS = 24 * 3600_000;

export type RedirectOutcome = 'sent' | 'already-sent' | 'loop';

export async function redirectCopy(
  ctx: ServerContext,
  account: Account,
  raw: Buffer,
  to: string,
  envelopeFrom: string,
  deliverLocal: DeliverLocal,
): Promise<RedirectOutcome> {
  const fields = parseHeaderBlock(raw);
  const loopKey = LOOP_FIELD.toLowerCase();
  if (fields.some((f) => f.key === loopKey && f.value.toLowerCase() === account.address)) return 'loop';
  const messageId = fields.find((f) => f.key === 'message-id')?.value;
  const onceKey = messageId ? createHash('sha256').update(`redirect\0${messageId}\0${to}`).digest('base64url') : null;
  if (onceKey && (await ctx.store.kvGet(DUPLICATE_NS, account.id, [onceKey])).has(onceKey)) return 'already-sent';

  // the copy leaves without our Return-Path (added again at final delivery, RFC 5321 §4.4)
  const first = fields[0];
  const body = first && first.key === 'return-path' ? raw.subarray(first.end) : raw;
  const copy = Buffer.concat([Buffer.from(`${LOOP_FIELD}: ${account.address}\r\n`), body]);

  if (await ctx.store.getDomain(domainOf(to))) {
    const local = await ctx.store.resolveRecipient(to);
    if (!local || (local.accounts.length === 0 && local.external.length === 0)) throw new Error(`redirect address ${to} does not exist here`);
    if (local.accounts.length) {
      const rcptFor = new Map(local.accounts.map((a) => [a.id, to]));
      const results = await deliverLocal(local.accounts, copy, { returnPath: envelopeFrom, rcptFor });
      const failed = results.find((r) => 'error' in r || 'rejected' in r);
      if (failed) throw new Error('error' in failed ? failed.error.message : `rejected by ${failed.account.address}'s filter`);
    }
    if (local.external.length) await ctx.store.enqueue({ from: envelopeFrom, recipients: local.external, raw: copy, accountId: null });
  } else {
    await ctx.store.enqueue({ from: envelopeFrom, recipients: [to], raw: copy, accountId: null });
  }
  if (onceKey) await ctx.store.kvSet(DUPLICATE_NS, account.id, [{ key: onceKey, value: '1', expiresAt: new Date(Date.now() + ONCE_MS) }], { durable: false });
  return 'sent';
}
