/**
 * vacation (RFC 5230) with :seconds (RFC 6131). The interpreter decides whether a reply
 * is allowed at all (RFC 5230 §4.5, RFC 3834 §2): never to the null sender, to ourselves,
 * to list or bulk mail (List-* fields, Precedence bulk/list/junk), to automatic mail
 * (Auto-Submitted other than "no", X-Auto-Response-Suppress), to owner-*, *-request or
 * MAILER-DAEMON senders, nor when none of the user's addresses is in To/Cc/Bcc/Resent-*.
 * Delivery then sends at most one reply per sender and handle per period (tracked in the
 * store), through the outbound queue with DKIM.
 */
import { createHash } from 'node:crypto';
import type { Runtime } from '../core/runtime.js';
import { tagValue, type CommandSpec, type Spec } from '../core/spec.js';
import { headerAddresses, isValidAddress } from '../core/addresses.js';

export const VACATION_DEFAULT_DAYS = 7;

const LIST_FIELDS = ['list-id', 'list-help', 'list-subscribe', 'list-unsubscribe', 'list-post', 'list-owner', 'list-archive'];
const RECIPIENT_FIELDS = ['to', 'cc', 'bcc', 'resent-to', 'resent-cc', 'resent-bcc'];

/** why no reply may be sent, or null when one may */
export function vacationRefusal(rt: Runtime, own: string[]): string | null {
  const sender = rt.env.envelope.from.toLowerCase();
  if (!sender) return 'the sender is the null sender';
  if (own.includes(sender)) return 'the message is from the user';
  const local = sender.slice(0, sender.lastIndexOf('@'));
  if (/^(mailer-daemon|listserv|majordomo|postmaster)$|^owner-|-request$|-owner$|^bounce/.test(local)) return `the sender ${sender} is a list or system address`;
  const auto = rt.view.values('auto-submitted')[0];
  if (auto && auto.trim().toLowerCase().split(/[\s;(]/)[0] !== 'no') return `the message is Auto-Submitted: ${auto}`;
  const listField = LIST_FIELDS.find((f) => rt.view.has(f));
  if (listField) return `the message came from a mailing list (${listField})`;
  const precedence = rt.view.values('precedence')[0]?.trim().toLowerCase();
  if (precedence && ['bulk', 'list', 'junk'].includes(precedence)) return `the message has Precedence: ${precedence}`;
  const suppress = rt.view.values('x-auto-response-suppress')[0]?.toLowerCase() ?? '';
  if (/\b(all|oof)\b/.test(suppress)) return 'the message asks for no automatic replies (X-Auto-Response-Suppress)';
  const recipients = RECIPIENT_FIELDS.flatMap((f) => rt.view.addressLists(f).flat()).map(([l, d]) => `${l}@${d}`.toLowerCase());
  if (!recipients.some((r) => own.includes(r))) return 'none of the user\'s addresses is in To, Cc or Bcc';
  return null;
}

const vacation: CommandSpec = {
  kind: 'command',
  name: 'vacation',
  requires: 'vacation',
  tags: {
    days: { value: 'number', group: 'period' },
    seconds: { value: 'number', group: 'period', requires: 'vacation-seconds' },
    subject: { value: 'string' },
    from: { value: 'string' },
    addresses: { value: 'list' },
    mime: {},
    handle: { value: 'string' },
  },
  positional: ['string'],
  run(node, rt) {
    const text = (tag: string) => {
      const v = tagValue(node, tag);
      return v && v.kind === 'string' ? rt.expand(v.value) : null;
    };
    const a = tagValue(node, 'addresses');
    const extra = a && a.kind !== 'number' ? rt.expandList(a.kind === 'list' ? a.values : [a.value]) : [];
    const own = [rt.env.user, rt.env.envelope.to, ...extra].map((s) => s.trim().toLowerCase()).filter(Boolean);
    const refusal = vacationRefusal(rt, own);
    if (refusal) {
      rt.notes.push(`vacation: no reply because ${refusal}`);
      return;
    }
    const reasonArg = node.positional[0]!;
    const reason = reasonArg.kind === 'string' ? rt.expand(reasonArg.value) : '';
    const subjectTag = text('subject');
    let from = text('from');
    if (from !== null) {
      const parsed = headerAddresses(from)[0];
      const addr = parsed ? `${parsed[0]}@${parsed[1]}` : '';
      if (!isValidAddress(addr)) {
        rt.notes.push(`vacation: ignored the invalid :from "${from.slice(0, 100)}"`);
        from = null;
      }
    }
    const days = tagValue(node, 'days');
    const secs = tagValue(node, 'seconds');
    let seconds = secs && secs.kind === 'number' ? secs.value : (days && days.kind === 'number' ? days.value : VACATION_DEFAULT_DAYS) * 86400;
    seconds = Math.min(Math.max(seconds, rt.env.limits.vacationMinSeconds), rt.env.limits.vacationMaxSeconds);
    const handle = text('handle') ?? createHash('sha256').update(`${subjectTag ?? ''}\0${reason}\0${from ?? ''}\0${node.tags.has('mime')}`).digest('base64url').slice(0, 22);
    const original = rt.view.values('subject')[0];
    rt.addAction({
      type: 'vacation',
      handle,
      to: rt.env.envelope.from,
      from,
      subject: subjectTag ?? `Auto: ${original ?? ''}`.trim(),
      reason,
      mime: node.tags.has('mime'),
      seconds,
      messageId: rt.view.rawValues('message-id')[0] ?? null,
      references: rt.view.rawValues('references')[0] ?? null,
    });
  },
};

export const VACATION: Spec[] = [vacation];
