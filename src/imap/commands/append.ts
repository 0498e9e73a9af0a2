/**
 * APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502, all or nothing), APPENDUID
 * (RFC 4315), APPENDLIMIT (RFC 7889: NO [TOOBIG]), UTF8 (literal8) data (RFC 6855 §4),
 * TRYCREATE when the mailbox is missing. The literal bytes are stored exactly as sent.
 */
import type { AppendInput } from '../../store/types.js';
import { rethrowTryCreate } from '../errors.js';
import { flagList, parseDateTime } from '../session/args.js';
import { formatSet } from '../session/selected.js';
import { AUTHED, bad, no, type ImapCommand } from '../session/types.js';

export const appendCmd: ImapCommand = {
  name: 'APPEND',
  states: AUTHED,
  async run(s, req) {
    const a = s.args(req);
    const name = a.mailbox();
    const inputs: AppendInput[] = [];
    const limit = s.appendLimit();
    while (!a.done || inputs.length === 0) {
      let flags: string[] | undefined;
      let date: Date | undefined;
      let t = a.peek();
      if (t?.type === 'list') {
        flags = flagList(a.list('flags')).filter((f) => f !== '\\Recent');
        t = a.peek();
      }
      if (t?.type === 'quoted') {
        date = parseDateTime(a.bytes('date-time').toString('latin1'));
        t = a.peek();
      }
      let raw: Buffer;
      let binary = false;
      if (t?.type === 'atom' && t.value.toUpperCase() === 'UTF8') {
        a.next('UTF8');
        const inner = a.list('UTF8 literal');
        const lit = inner[0];
        if (inner.length !== 1 || lit.type !== 'literal') throw bad('UTF8 data must be one literal8');
        raw = lit.value;
        binary = true;
      } else {
        if (!t || t.type !== 'literal') throw bad('APPEND needs the message as a literal');
        binary = t.binary;
        raw = a.bytes('message literal');
      }
      if (raw.length > limit) throw no(`Message of ${raw.length} bytes exceeds the limit of ${limit}`, 'TOOBIG');
      if (!binary && raw.includes(0)) throw no('Message contains NUL bytes', 'CANNOT');
      inputs.push({ raw, flags, internalDate: date });
    }
    a.end();
    const info = await s.ctx.store.getMailbox(s.accountId, name);
    if (!info) throw no(`Mailbox "${name}" does not exist`, 'TRYCREATE');
    const results =
      inputs.length === 1
        ? [await s.ctx.store.append(s.accountId, info.id, inputs[0], { origin: s.id }).catch(rethrowTryCreate)]
        : await s.ctx.store.appendMany(s.accountId, info.id, inputs, { origin: s.id }).catch(rethrowTryCreate);
    for (const r of results) s.selected?.ingest(r.changes);
    const uids = results.map((r) => r.uid);
    s.log.info({ mailbox: name, count: uids.length }, 'imap append');
    return { status: 'OK', code: `APPENDUID ${results[0].uidValidity} ${formatSet(uids)}`, text: 'APPEND completed' };
  },
};
