/**
 * DATA on port 25 (RFC 5321 §4.1.1.4): prepend the trace fields, verify the sender
 * (SPF/DKIM/ARC/DMARC) and act on the DMARC policy (./dmarc.ts), ask the spam filters
 * (rspamd when configured, then each account's own classifier), deliver one copy per
 * local account (spam into its Junk) and queue alias destinations outside our domains
 * (ARC-sealed). 250 is sent only after every local copy is committed.
 *
 * Partial failure: with several recipients and one DATA reply (RFC 5321 has no
 * per-recipient DATA reply outside LMTP), the message is accepted when at least one copy
 * was stored; copies that failed temporarily are queued and retried locally, and a failure
 * DSN goes out for permanent failures only when the sender passed SPF (no backscatter);
 * when nothing could be stored the reply is the mapped error of the first failure.
 *
 * Sieve reject/ereject (RFC 5429) is decided here, before the reply:
 *  - every recipient rejected (and nothing forwarded) → 550 5.7.1 with the script's reason:
 *    the sending server reports it, so no bounce ever goes to a forged sender;
 *  - a rejection beside a temporary failure → that 4xx (the sender retries the message);
 *  - some recipients accepted it → 250, and the rejecting recipients get nothing; the
 *    sender is told by a DSN (status 5.7.1, the reason) only when SPF verified the
 *    envelope sender (spf=pass); otherwise the rejection is only logged.
 */
import type { SMTPServerSession } from 'smtp-server';
import type { ServerContext } from '../../context.js';
import type { Account } from '../../store/types.js';
import { verifyInbound } from '../core/authresults.js';
import { dmarcDecision } from './dmarc.js';
import { recordDmarc } from '../dmarc/outgoing.js';
import { rspamdCheck, rspamdOutcome } from '../../spam/rspamd.js';
import { mergeVerdicts, stripSpamHeaders, type Verdict } from '../../spam/verdict.js';
import { heloFindings, ptrFindings, rdnsVerdict } from './checks.js';
import { sessionState } from '../core/session.js';
import { tokenize } from '../../spam/bayes/tokens.js';
import { indexMessage } from '../../mime/index.js';
import { headerEnd } from '../core/headers.js';
import type { DnsResolver } from '../core/dns.js';
import { deliverLocal } from '../delivery/deliver.js';
import { Replies, storeErrorReply } from '../core/errors.js';
import { headerValues, receivedHeader, stripOwnAuthResults, withProtocol } from '../core/headers.js';
import { sendDeliveredDsn, sendDsn } from '../queue/dsn.js';
import { envelopeFromSession, saveEnvelope, wants } from '../queue/envelope.js';
import type { Transaction } from '../core/session.js';

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
  raw = stripSpamHeaders(raw, headerEnd(raw));
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
  const accounts: Account[] = txn.recipients.flatMap((r) => r.accounts);
  const external = [...new Set(txn.recipients.flatMap((r) => r.external))];
  // forwarded copies get our ARC seal (RFC 8617), made with the forwarding domain's DKIM key
  const forwarding = txn.recipients.find((r) => r.external.length);
  const sealDomain = forwarding ? await ctx.store.getDomain(forwarding.rcpt.slice(forwarding.rcpt.lastIndexOf('@') + 1)) : null;
  const seal = sealDomain?.dkimSelector && sealDomain.dkimPrivateKey ? { signingDomain: sealDomain.name, selector: sealDomain.dkimSelector, privateKey: sealDomain.dkimPrivateKey } : undefined;

  const auth = ctx.config.smtp.verify_inbound
    ? await verifyInbound({
        raw: Buffer.concat([Buffer.from(received), raw]),
        ip: session.remoteAddress,
        helo: session.hostNameAppearsAs || '',
        sender,
        hostname: ctx.config.hostname,
        resolver,
        log: ctx.log,
        seal,
      })
    : null;
  const trace = (auth?.trace ?? '') + received; // topmost first: our verdict above our Received
  const log = ctx.log.child({ conn: session.id });

  let verdict: Verdict | undefined;
  // DMARC quarantine per account: trusted forwarders are configured per recipient domain (./dmarc.ts)
  const dmarcJunk = new Map<number, Verdict>();
  if (auth) {
    const decision = dmarcDecision(auth, ctx.config.dmarc, txn.recipients.map((r) => r.rcpt));
    // counted for our aggregate reports to the sender's domain (../dmarc/outgoing.ts)
    if (auth.dmarc?.domain && auth.dmarc.result !== 'none' && auth.dmarc.result !== 'temperror')
      await recordDmarc(
        ctx,
        {
          domain: auth.dmarc.domain,
          ip: session.remoteAddress,
          disposition: decision.disposition,
          dkim: auth.dmarc.dkimAligned ? 'pass' : 'fail',
          spf: auth.dmarc.spfAligned ? 'pass' : 'fail',
        },
        now,
      );
    if (decision.reject !== undefined) {
      log.info({ from: sender, domain: auth.dmarc?.domain }, `message refused: ${decision.reject}`);
      throw Replies.dmarcReject(decision.reject);
    }
    for (const r of txn.recipients) {
      const reason = decision.junk.get(r.rcpt);
      if (reason) for (const a of r.accounts) dmarcJunk.set(a.id, { junk: true, reasons: [reason] });
    }
    if (decision.junk.size && decision.junk.size < txn.recipients.length)
      log.info({ from: sender, domain: auth.dmarc?.domain, junk: [...decision.junk.keys()] }, 'DMARC failure: accepted for recipients whose domain trusts the forwarder, into Junk for the others');
  }

  if (ctx.config.smtp.rdns_checks) {
    // once per connection (./checks.ts): reasons and a small score, never a refusal
    // (the PTR lookups started when the client connected: ../server.ts)
    const state = sessionState(session, 'smtp', false);
    state.ptr ??= ptrFindings(session.remoteAddress, resolver, false);
    verdict = mergeVerdicts(verdict, rdnsVerdict([...heloFindings(session.hostNameAppearsAs || ''), ...(await state.ptr)], ctx.config.smtp.rdns_junk_score));
  }

  const rspamd = ctx.config.spam.rspamd;
  if (rspamd.url) {
    try {
      const result = await rspamdCheck(rspamd, Buffer.concat([Buffer.from(trace), raw]), {
        ip: session.remoteAddress,
        helo: session.hostNameAppearsAs || '',
        from: sender,
        rcpt: txn.recipients.map((r) => r.rcpt),
        hostname: session.clientHostname && !session.clientHostname.startsWith('[') ? session.clientHostname : undefined,
        queueId: session.id,
      });
      const outcome = rspamdOutcome(result);
      log.info({ action: result.action, score: result.score, required: result.requiredScore, symbols: result.symbols.slice(0, 20) }, `rspamd: ${result.action}`);
      if (outcome.kind === 'reject') throw Replies.spamReject(result.message ?? '');
      if (outcome.kind === 'defer') throw Replies.spamSoftReject();
      verdict = mergeVerdicts(verdict, outcome.verdict);
      if (outcome.verdict.subject !== undefined) raw = stripSpamHeaders(raw, headerEnd(raw), outcome.verdict.subject);
    } catch (err) {
      if (!(err instanceof Error) || err.name !== 'RspamdError') throw err;
      if (rspamd.on_failure === 'closed') {
        log.warn({ err: err.message }, `${err.message}; message deferred (spam.rspamd.on_failure = "closed")`);
        throw Replies.spamUnavailable();
      }
      log.warn({ err: err.message }, `${err.message}; message delivered unfiltered (spam.rspamd.on_failure = "open")`);
    }
  }

  const bayes = ctx.bayes?.config.enabled && accounts.length ? ctx.bayes : undefined;
  // parsed once here for both the classifier and the store (messages of 1 MiB or more are
  // left to the store, which parses those off the main thread; the classifier parses its own)
  const index = bayes && raw.length < 1 << 20 ? indexMessage(raw, { maxDepth: ctx.config.limits.mime_depth }) : undefined;
  let tokens: string[] | undefined;
  // tokenized only for an account whose classifier has learned enough to give verdicts
  const classifierVerdict = bayes ? (account: Account) => bayes.verdict(account.id, () => (tokens ??= tokenize(raw, index))) : undefined;
  const accountVerdict =
    classifierVerdict || dmarcJunk.size
      ? async (account: Account) => mergeVerdicts(dmarcJunk.get(account.id), await classifierVerdict?.(account).catch(() => undefined))
      : undefined;

  const rcptOf = new Map<number, string>();
  for (const r of txn.recipients) for (const a of r.accounts) if (!rcptOf.has(a.id)) rcptOf.set(a.id, r.rcpt);
  const results = await deliverLocal(ctx, accounts, raw, { returnPath: sender, trace, verdict, accountVerdict, index, rcptFor: rcptOf });
  // DSN parameters (RFC 3461) by the RCPT address that reached each account
  const params = envelopeFromSession(session.envelope as Parameters<typeof envelopeFromSession>[0]);
  let queued = 0;
  const failures: Array<{ address: string; rcpt: string; reply: ReturnType<typeof storeErrorReply>; local: boolean }> = [];
  const rejected: Array<{ address: string; rcpt: string; reason: string }> = [];
  for (const r of results) {
    const rcpt = rcptOf.get(r.account.id) ?? r.account.address;
    if ('error' in r) failures.push({ address: r.account.address, rcpt, reply: storeErrorReply(r.error), local: true });
    else if ('rejected' in r) rejected.push({ address: r.account.address, rcpt, reason: r.rejected });
  }
  const localFailed = failures.length;
  if (external.length) {
    try {
      const item = await ctx.store.enqueue({ from: sender, recipients: external, raw: Buffer.concat([Buffer.from((auth?.arcSet ?? '') + trace), raw]), accountId: null });
      await saveEnvelope(ctx.store, item.id, { ret: params.ret, envid: params.envid, requireTls: params.requireTls });
      queued = external.length;
      ctx.metrics?.message('queued');
    } catch (err) {
      for (const address of external) failures.push({ address, rcpt: address, reply: storeErrorReply(err), local: false });
    }
  }
  const stored = results.length - localFailed - rejected.length;
  if (stored === 0 && queued === 0) {
    const temporary = failures.find((f) => f.reply.responseCode < 500);
    if (temporary) throw temporary.reply;
    if (rejected.length) throw Replies.sieveRejected(rejected[0]!.reason);
    if (failures.length) throw failures[0]!.reply;
  }
  // rejected by some recipients' scripts, accepted by others: a failure like a permanent store
  // error (a DSN only to an SPF-verified sender, below)
  if (rejected.length) {
    log.info({ from: sender, rcpt: rejected.map((r) => r.address) }, 'message rejected by the Sieve script of some recipients, delivered to the others');
    for (const r of rejected) failures.push({ address: r.address, rcpt: r.rcpt, reply: Replies.sieveRejected(r.reason), local: false });
  }
  const delivered = results.flatMap((r) => ('error' in r || 'rejected' in r ? [] : [{ account: r.account, rcpt: rcptOf.get(r.account.id) ?? r.account.address }]));
  await sendDeliveredDsn(ctx, { to: sender, original: raw, arrivalDate: now, params, delivered }).catch((err) =>
    ctx.log.error({ err: (err as Error).message }, 'could not send a success DSN'),
  );
  // One DATA reply covers every recipient. Copies that failed temporarily (a full mailbox, a
  // busy store) while others were stored are kept in the queue and retried here (the runner
  // delivers our own domains locally), as Postfix's local delivery would: still temporary,
  // and nobody is bounced to.
  const temporary = failures.filter((f) => f.local && f.reply.responseCode < 500);
  if (temporary.length) {
    try {
      const item = await ctx.store.enqueue({ from: sender, recipients: temporary.map((f) => f.address), raw: Buffer.concat([Buffer.from(trace), raw]), accountId: null });
      await saveEnvelope(ctx.store, item.id, { ret: params.ret, envid: params.envid, requireTls: params.requireTls });
      queued += temporary.length;
      log.info({ from: sender, rcpt: temporary.map((f) => f.address), reply: temporary[0]!.reply.toString() }, 'local copies deferred: kept in the queue for another attempt');
      failures.splice(0, failures.length, ...failures.filter((f) => !temporary.includes(f)));
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not queue the deferred local copies');
    }
  }
  const notify = failures.filter((f) => wants(params, f.rcpt, 'FAILURE'));
  // a bounce goes only to a sender whose domain vouched for this client (SPF pass): anything
  // else may be forged, and bouncing to it is backscatter
  if (notify.length && auth?.spf !== 'pass') {
    log.warn(
      { from: sender, spf: auth?.spf ?? 'not checked', failed: notify.map((f) => `${f.address}: ${f.reply.toString()}`) },
      'some copies could not be delivered; no failure DSN: the sender is not verified by SPF (a bounce to a forged sender is backscatter)',
    );
  } else if (notify.length) {
    await sendDsn(ctx, {
      to: sender,
      original: raw,
      arrivalDate: now,
      now,
      envid: params.envid,
      ret: params.ret,
      recipients: notify.map((f) => ({
        address: f.address,
        action: 'failed' as const,
        status: f.reply.enhanced.replace(/^4\./, '5.'), // final: what could be retried is in the queue (RFC 3464 §2.3.4)
        diagnostic: f.reply.toString(),
        remoteMta: ctx.config.hostname,
        orcpt: params.rcpt?.[f.rcpt.toLowerCase()]?.orcpt,
      })),
    }).catch((err) => ctx.log.error({ err: (err as Error).message }, 'could not send a failure DSN for a partially delivered message'));
  }
  return { stored, queued, failed: failures.length };
}
