/**
 * ESMTP parameters a queued message carries beyond from/recipients: DSN (RFC 3461: RET and
 * ENVID per message, NOTIFY and ORCPT per recipient) and REQUIRETLS (RFC 8689). Kept in the
 * store's keyed state (server-wide namespace "queue.envelope", keyed by queue id) so every
 * backend carries them without a schema change; written right after enqueue and removed
 * with the item. A message whose parameters are missing is treated as sent without them
 * (the RFC 3461 default: failure and delay notices only).
 */
import type { Store } from '../../store/types.js';

export type Notify = 'SUCCESS' | 'FAILURE' | 'DELAY';

export interface RecipientParams {
  /** absent: the default (FAILURE, DELAY); [] = NEVER */
  notify?: Notify[];
  /** ORCPT as given, "rfc822;addr" */
  orcpt?: string;
}

export interface EnvelopeParams {
  ret?: 'FULL' | 'HDRS';
  envid?: string;
  requireTls?: boolean;
  /** by lower-cased recipient address */
  rcpt?: Record<string, RecipientParams>;
}

const NS = 'queue.envelope';

export function isEmpty(p: EnvelopeParams): boolean {
  return !p.ret && !p.envid && !p.requireTls && !Object.keys(p.rcpt ?? {}).length;
}

/** kept at most this long (longer than any queue lifetime): the hourly purge removes leftovers */
const KEEP_MS = 60 * 86400_000;

export async function saveEnvelope(store: Store, id: string, p: EnvelopeParams): Promise<void> {
  if (isEmpty(p)) return;
  await store.kvSet(NS, null, [{ key: id, value: JSON.stringify(p), expiresAt: new Date(Date.now() + KEEP_MS) }]);
}

export async function loadEnvelope(store: Store, id: string): Promise<EnvelopeParams> {
  const e = (await store.kvGet(NS, null, [id])).get(id);
  if (!e) return {};
  try {
    return JSON.parse(e.value) as EnvelopeParams;
  } catch {
    return {};
  }
}

export async function dropEnvelope(store: Store, id: string): Promise<void> {
  await store.kvDelete(NS, null, [id]);
}

/** whether `kind` of notice is wanted for this recipient (RFC 3461 §4.1: default FAILURE and DELAY) */
export function wants(p: EnvelopeParams, rcpt: string, kind: Notify): boolean {
  const n = p.rcpt?.[rcpt.toLowerCase()]?.notify;
  if (!n) return kind !== 'SUCCESS';
  return n.includes(kind);
}

/** the parameters smtp-server parsed for a transaction (hideDSN: false) */
export function envelopeFromSession(envelope: {
  dsn?: { ret?: string | null; envid?: string | null };
  rcptTo: Array<{ address: string; dsn?: { notify?: string[]; orcpt?: string } }>;
  requireTLS?: boolean;
}): EnvelopeParams {
  const p: EnvelopeParams = {};
  const ret = envelope.dsn?.ret?.toUpperCase();
  if (ret === 'FULL' || ret === 'HDRS') p.ret = ret;
  if (envelope.dsn?.envid) p.envid = envelope.dsn.envid;
  if (envelope.requireTLS) p.requireTls = true;
  for (const r of envelope.rcptTo) {
    if (!r.dsn?.notify && !r.dsn?.orcpt) continue;
    const rp: RecipientParams = {};
    if (r.dsn.notify) rp.notify = r.dsn.notify.filter((n): n is Notify => n === 'SUCCESS' || n === 'FAILURE' || n === 'DELAY');
    if (r.dsn.orcpt) rp.orcpt = r.dsn.orcpt;
    (p.rcpt ??= {})[r.address.toLowerCase()] = rp;
  }
  return p;
}

/** the parameters that apply to some of the recipients (forwarded copies keep their own) */
export function forRecipients(p: EnvelopeParams, recipients: string[]): EnvelopeParams {
  const out: EnvelopeParams = { ...p, rcpt: {} };
  for (const r of recipients) {
    const rp = p.rcpt?.[r.toLowerCase()];
    if (rp) out.rcpt![r.toLowerCase()] = rp;
  }
  return out;
}
