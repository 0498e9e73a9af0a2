/**
 * Sieve at delivery, for one account: load the active script, run it over the message
 * (src/sieve, pure), then carry out its actions — store into the folders it names with
 * the flags it set, redirect, send the vacation reply, remember duplicate ids.
 *
 * Nothing a script does loses mail:
 *  - no script, an invalid one, a run-time error or a limit reached → the default target
 *    (INBOX, or \Junk when the verdict says junk), and a log line saying why;
 *  - fileinto a folder that does not exist (without :create) → the default target;
 *  - a redirect that cannot be sent, or that would loop → kept in the default target;
 *  - a vacation reply that cannot be sent is logged; the message is stored regardless.
 * A rejection (reject/ereject) stores nothing and is returned to the caller, which
 * refuses the message at SMTP time or reports it (src/smtp/inbound/data.ts).
 */
import type { ServerContext } from '../../context.js';
import { indexMessage } from '../../mime/index.js';
import type { MimeIndex } from '../../mime/types.js';
import { runScript, SieveError, SieveRuntimeError, type SieveAction, type SieveEnvironment, type SieveResult } from '../../sieve/index.js';
import { StoreError, type Account, type MailboxId, type MailboxInfo } from '../../store/types.js';
import { DUPLICATE_NS, filterContext } from './context.js';
import { redirectCopy } from './redirect.js';
import type { DeliverLocal, LocalResult, Verdict } from './types.js';
import { sendVacation } from './vacation.js';

export interface FilterInput {
  account: Account;
  /** this account's header fields before the message (Return-Path, Delivered-To, spam and trace fields) */
  prefix: Buffer;
  /** the message as received, shared by every account */
  raw: Buffer;
  envelopeFrom: string;
  rcpt: string;
  verdict?: Verdict;
  /** run the active script (false: the default target only) */
  sieve: boolean;
}

/** one copy to store: into `mailboxId` (absent = INBOX), with `flags`; `edited` = bytes changed by editheader (prefix included) */
export interface PlannedCopy {
  mailboxId?: MailboxId;
  flags: string[];
  edited: Buffer | null;
}

/**
 * What delivery does for one account: the copies to store (deliverLocal stores every
 * account's plain copies with one store.deliver), or a final result without a copy
 * (rejected, discarded, redirected, or an error), and what to do once the copies are
 * safe (vacation reply, duplicate tracking).
 */
export interface DeliveryPlan {
  account: Account;
  copies: PlannedCopy[];
  final: LocalResult | null;
  /** after the copies are committed; never throws */
  after(): Promise<void>;
}

const nothingAfter = async (): Promise<void> => {};

export async function planDelivery(ctx: ServerContext, input: FilterInput, deliverLocal: DeliverLocal): Promise<DeliveryPlan> {
  const { account } = input;
  const log = ctx.log.child({ component: 'sieve', user: account.address });
  const junk = input.verdict?.junk ? ((await ctx.store.getSpecialMailbox(account.id, '\\Junk')) ?? undefined) : undefined;
  const plain = (copies: PlannedCopy[]): DeliveryPlan => ({ account, copies, final: null, after: nothingAfter });

  let copy: Buffer | null = null;
  const whole = () => (copy ??= Buffer.concat([input.prefix, input.raw]));
  const result = input.sieve ? await evaluate(ctx, input, whole, log) : null;
  if (!result) return plain([{ mailboxId: junk?.id, flags: [], edited: null }]);
  for (const note of result.notes) log.info({ rcpt: input.rcpt }, `Sieve: ${note}`);

  const reject = result.actions.find((a) => a.type === 'reject');
  if (reject && reject.type === 'reject') {
    log.info({ from: input.envelopeFrom, reason: reject.reason.slice(0, 200) }, `Sieve ${reject.extended ? 'ereject' : 'reject'}: message refused`);
    return { account, copies: [], final: { account, rejected: reject.reason }, after: nothingAfter };
  }

  let mailboxes: MailboxInfo[] | null = null;
  const list = async () => (mailboxes ??= await ctx.store.listMailboxes(account.id));
  const copies: PlannedCopy[] = [];
  const add = (edited: Buffer | null, mailboxId: MailboxId | undefined, flags: string[]) => {
    const same = copies.find((c) => c.edited === edited && c.mailboxId === mailboxId);
    if (same) same.flags = [...new Set([...same.flags, ...flags])];
    else copies.push({ mailboxId, flags, edited });
  };

  let redirected = false;
  for (const a of result.actions) {
    if (a.type === 'keep') add(a.raw, junk?.id, a.flags);
    else if (a.type === 'fileinto') add(a.raw, (await resolveFolder(ctx, account, a, list, log)) ?? junk?.id, a.flags);
    else if (a.type === 'redirect') {
      try {
        const outcome = await redirectCopy(ctx, account, a.raw ?? whole(), a.address, input.envelopeFrom, deliverLocal);
        if (outcome === 'loop') {
          log.warn({ to: a.address }, `Sieve redirect to ${a.address} not sent: the message was already redirected by ${account.address} (loop); kept instead`);
          add(a.raw, junk?.id, []);
        } else if (outcome === 'already-sent') log.info({ to: a.address }, `Sieve redirect to ${a.address} skipped: this message was already redirected there`);
        else log.info({ to: a.address, from: input.envelopeFrom }, `Sieve redirected the message to ${a.address}`);
        redirected = true;
      } catch (e) {
        log.warn({ to: a.address, err: (e as Error).message }, `Sieve redirect to ${a.address} failed; the message is kept instead`);
        add(a.raw, junk?.id, []);
      }
    }
  }

  // after the message is safe: vacation and duplicate tracking (RFC 7352 §3)
  const after = async (): Promise<void> => {
    for (const a of result.actions) {
      if (a.type !== 'vacation') continue;
      try {
        const sent = await sendVacation(ctx, account, a, deliverLocal);
        log.info({ to: a.to, handle: a.handle }, sent === 'sent' ? `Sieve vacation reply sent to ${a.to}` : `Sieve vacation: ${a.to} was already answered within the period`);
      } catch (e) {
        log.warn({ to: a.to, err: (e as Error).message }, 'Sieve vacation reply could not be sent');
      }
    }
    if (result.duplicates.length) {
      const now = Date.now();
      await ctx.store
        .kvSet(DUPLICATE_NS, account.id, result.duplicates.map((d) => ({ key: d.id, value: '1', expiresAt: new Date(now + d.seconds * 1000) })), { durable: false })
        .catch((e: Error) => log.warn({ err: e.message }, 'Sieve duplicate tracking could not be saved'));
    }
  };
  if (copies.length) return { account, copies, final: null, after };
  if (!redirected) log.info({ from: input.envelopeFrom }, 'Sieve discarded the message');
  return { account, copies, final: { account, filtered: redirected ? 'redirected' : 'discarded' }, after };
}

/** runs the active script; null = no script, or it failed (the message goes to the default target) */
async function evaluate(ctx: ServerContext, input: FilterInput, whole: () => Buffer, log: ServerContext['log']): Promise<SieveResult | null> {
  const f = filterContext(ctx);
  const { account } = input;
  let active: { name: string; text: string } | null;
  try {
    active = await f.scripts.active(account.id);
  } catch (e) {
    log.error({ err: (e as Error).message }, 'could not read the active Sieve script; delivering to the default mailbox');
    return null;
  }
  if (!active) return null;
  let index: MimeIndex | null = null;
  const raw = whole();
  const env: SieveEnvironment = {
    message: { raw, index: () => (index ??= indexMessage(raw, { maxDepth: ctx.config.limits.mime_depth })) },
    envelope: { from: input.envelopeFrom, to: input.rcpt },
    user: account.address,
    mailboxes: async () => (await ctx.store.listMailboxes(account.id)).map((m) => ({ name: m.name, id: mailboxObjectId(m) })),
    now: () => new Date(),
    spam: input.verdict ? { junk: input.verdict.junk, score: input.verdict.spamScore, threshold: input.verdict.spamThreshold } : null,
    seenDuplicate: async (id) => (await ctx.store.kvGet(DUPLICATE_NS, account.id, [id])).has(id),
    loadScript: (name, location) => f.scripts.get(location === 'global' ? null : account.id, name).catch(() => null),
    limits: f.limits,
  };
  try {
    return await runScript(f.compile(active.text), env, { name: active.name });
  } catch (e) {
    const why = e instanceof SieveError ? `the script does not compile: ${e.message}` : e instanceof SieveRuntimeError ? e.message : `internal error: ${(e as Error).message}`;
    const level = e instanceof SieveError || e instanceof SieveRuntimeError ? 'warn' : 'error';
    log[level]({ script: active.name, from: input.envelopeFrom }, `Sieve script "${active.name}" failed (${why}); the message is kept in the default mailbox`);
    return null;
  }
}

/** RFC 9042 MAILBOXID of a mailbox as scripts see it */
export function mailboxObjectId(m: MailboxInfo): string {
  return `M${m.id}`;
}

async function resolveFolder(
  ctx: ServerContext,
  account: Account,
  a: Extract<SieveAction, { type: 'fileinto' }>,
  list: () => Promise<MailboxInfo[]>,
  log: ServerContext['log'],
): Promise<MailboxId | null> {
  if (a.mailboxId) {
    const byId = (await list()).find((m) => mailboxObjectId(m) === a.mailboxId);
    if (byId) return byId.id;
  }
  const name = a.mailbox.toUpperCase() === 'INBOX' ? 'INBOX' : a.mailbox;
  const found = await ctx.store.getMailbox(account.id, name);
  if (found) return found.id;
  if (!a.create) {
    log.info({ mailbox: name }, `Sieve fileinto "${name}": no such mailbox (use :create to make it); kept in the default mailbox`);
    return null;
  }
  try {
    await ctx.store.createMailbox(account.id, name);
  } catch (e) {
    if (!(e instanceof StoreError && e.code === 'ALREADYEXISTS')) {
      log.warn({ mailbox: name, err: (e as Error).message }, `Sieve fileinto :create "${name}" failed; kept in the default mailbox`);
      return null;
    }
  }
  return (await ctx.store.getMailbox(account.id, name))?.id ?? null;
}
