/**
 * NOTIFY (RFC 5465): NOTIFY NONE, NOTIFY SET [(STATUS)] (filter events)... The delivery is in
 * ../session/notify.ts; this command checks the request, and gives the session a callback
 * that sends MessageNew's fetch attributes for new messages of the selected mailbox (the
 * same plan/read/render steps as FETCH). AnnotationChange needs ANNOTATE, which this
 * server does not offer: NO [BADEVENT] names the events it supports (§5).
 * MailboxMetadataChange and ServerMetadataChange come from the "metadata" changes
 * SETMETADATA publishes (./metadata-entries.ts).
 */
import { Notifier } from '../session/notify.js';
import { AUTHED, type ImapCommand, type ImapSession } from '../session/types.js';
import type { FetchAtt } from '../wire/args/fetch.js';
import { parseNotifyArgs, type NotifyEvent } from '../wire/args/notify.js';
import { atom, respCode } from '../wire/encode.js';
import { planFetch } from './fetch-plan.js';
import { readBatch } from './fetch-read.js';
import { renderMessage } from './fetch-render.js';

const SUPPORTED: readonly NotifyEvent[] = ['MessageNew', 'MessageExpunge', 'FlagChange', 'MailboxName', 'SubscriptionChange', 'MailboxMetadataChange', 'ServerMetadataChange'];

function fetchNewWith(s: ImapSession, atts: FetchAtt[]): (uids: number[]) => Promise<void> {
  return async (uids) => {
    const v = s.selected;
    if (!v) return;
    const plan = planFetch(s, { set: { saved: false, ranges: [] }, atts: [{ type: 'UID' }, ...atts.filter((a) => a.type !== 'UID')], changedSince: null, vanished: false, macro: null });
    const w = s.writer();
    const batch = await readBatch(s, plan, uids);
    for (const row of batch.rows) {
      if (plan.needRaw && !(await batch.fill(row))) continue;
      const seq = v.seqOf(row.meta.uid);
      if (!seq) continue;
      const head = s.uidOnly ? { num: row.meta.uid, keyword: 'UIDFETCH' as const } : { num: seq, keyword: 'FETCH' as const };
      renderMessage(w, head, plan.atts, row, { utf8: s.utf8, recent: !s.rev2 && v.isRecent(row.meta.uid) });
    }
    s.send(w);
  };
}

export const notifyCmd: ImapCommand = {
  name: 'NOTIFY',
  states: AUTHED,
  async run(s, req) {
    const args = parseNotifyArgs(req.args, s.names);
    if (args.none) {
      s.notifier = null;
      return;
    }
    const unsupported = args.groups.flatMap((g) => [...g.events]).filter((e) => !SUPPORTED.includes(e));
    if (unsupported.length) {
      return { status: 'NO', code: respCode('BADEVENT', SUPPORTED.map(atom)), text: `Not supported here: ${[...new Set(unsupported)].join(' ')}` };
    }
    // RFC 5465 §5.2: fetch attributes that would set \Seen are not allowed
    for (const g of args.groups) {
      if (g.fetch.some((a) => (a.type === 'BODY[]' || a.type === 'BINARY[]') && !a.peek)) {
        return { status: 'BAD', text: 'MessageNew fetch attributes must not set \\Seen (use BODY.PEEK)' };
      }
    }
    const sel = args.groups.find((g) => g.filter.kind === 'selected');
    const n = new Notifier(args, sel?.fetch.length ? fetchNewWith(s, sel.fetch) : null);
    s.notifier = n;
    if (args.status) await n.statusAll(s);
  },
};
