/**
 * APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502, all or nothing), APPENDUID
 * (RFC 4315), APPENDLIMIT (RFC 7889: NO [TOOBIG]), UTF8 (literal8) data (RFC 6855 §4),
 * TRYCREATE when the mailbox is missing, CATENATE (RFC 4469, ./catenate.ts). The literal bytes
 * are stored exactly as sent.
 * (Literals above APPENDLIMIT are already refused by the session before they are sent.)
 */
import type { AppendInput } from '../../store/types.js';
import { rethrowTryCreate } from '../session/errors.js';
import { keywordLimitProblem } from '../session/limits.js';
import { AUTHED, no, type ImapCommand } from '../session/types.js';
import { parseAppendArgs } from '../wire/args/append.js';
import { catenate } from './catenate.js';
import { accessMailbox } from '../session/access.js';
import { permittedFlags } from '../../store/acl-rights.js';
import { respCode, seqSet } from '../wire/encode.js';

export const appendCmd: ImapCommand = {
  name: 'APPEND',
  states: AUTHED,
  async run(s, req) {
    const args = parseAppendArgs(req.args, s.names);
    const name = args.mailbox;
    const limit = s.appendLimit();
    // RFC 4469 CATENATE: join each message's parts first (URLs into this account's mailboxes)
    for (const m of args.messages) {
      if (!m.parts) continue;
      const joined = await catenate(s, m.parts, limit);
      m.data = joined.data;
      m.binary = joined.binary;
    }
    const inputs: AppendInput[] = args.messages.map((m) => {
      if (m.data.length > limit) throw no(`Message of ${m.data.length} bytes exceeds the limit of ${limit}`, 'TOOBIG');
      if (!m.binary && m.data.includes(0)) throw no('Message contains NUL bytes; send it as a literal8 (~{n})', 'CANNOT');
      const problem = keywordLimitProblem(m.flags ?? []);
      if (problem) throw no(problem, 'LIMIT');
      return {
        raw: m.data,
        flags: m.flags?.filter((f) => f !== '\\Recent'),
        internalDate: m.date ?? undefined,
      };
    });
    // RFC 4314 §4: "i" on the target; flags only as far as the rights allow (never a failure)
    const target = await accessMailbox(s, name, 'i', 'TRYCREATE');
    const info = target.info;
    if (!target.own) for (const i of inputs) if (i.flags) i.flags = permittedFlags(target.rights, i.flags);
    const results =
      inputs.length === 1
        ? [await s.ctx.store.append(info.accountId, info.id, inputs[0], { origin: s.id }).catch(rethrowTryCreate)]
        : await s.ctx.store.appendMany(info.accountId, info.id, inputs, { origin: s.id }).catch(rethrowTryCreate);
    for (const r of results) s.selected?.ingest(r.changes);
    const uids = results.map((r) => r.uid);
    s.log.info({ mailbox: name, count: uids.length }, 'imap append');
    return { status: 'OK', code: respCode('APPENDUID', results[0].uidValidity, seqSet(uids)), text: 'APPEND completed' };
  },
};
