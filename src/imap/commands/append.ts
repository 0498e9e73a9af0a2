/**
 * APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502, all or nothing), APPENDUID
 * (RFC 4315), APPENDLIMIT (RFC 7889: NO [TOOBIG]), UTF8 (literal8) data (RFC 6855 §4),
 * TRYCREATE when the mailbox is missing. The literal bytes are stored exactly as sent,
 * except binary content (RFC 3516 §4.4: CTE "binary" or NUL bytes, which IMAP literals in
 * FETCH BODY[] cannot carry): those parts are stored base64-encoded (src/mime/encode-binary.ts),
 * as Dovecot does, so BINARY[] still returns the original bytes.
 * (Literals above APPENDLIMIT are already refused by the session before they are sent.)
 */
import { encodeBinaryParts } from '../../mime/encode-binary.js';
import type { AppendInput } from '../../store/types.js';
import { rethrowTryCreate } from '../errors.js';
import { formatSet } from '../session/selected.js';
import { AUTHED, no, type ImapCommand } from '../session/types.js';
import { parseAppendArgs } from '../wire/args/append.js';

const BINARY_CTE = /content-transfer-encoding[ \t]*:[ \t]*binary/i;

export const appendCmd: ImapCommand = {
  name: 'APPEND',
  states: AUTHED,
  async run(s, req) {
    const args = parseAppendArgs(req.args, s.names);
    const name = args.mailbox;
    const limit = s.appendLimit();
    const inputs: AppendInput[] = args.messages.map((m) => {
      if (m.data.length > limit) throw no(`Message of ${m.data.length} bytes exceeds the limit of ${limit}`, 'TOOBIG');
      // a NUL in a plain literal breaks RFC 9051 §4.3, but Dovecot accepts it too: both are stored re-encoded
      const binary = m.data.includes(0) || (m.binary && BINARY_CTE.test(m.data.toString('latin1')));
      const raw = binary ? encodeBinaryParts(m.data) : m.data;
      return {
        raw,
        flags: m.flags?.filter((f) => f !== '\\Recent'),
        internalDate: m.date ?? undefined,
      };
    });
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
