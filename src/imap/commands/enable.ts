/** ENABLE (RFC 5161; RFC 9051 §6.3.1): IMAP4rev2, UTF8=ACCEPT (RFC 6855), CONDSTORE and QRESYNC (RFC 7162; QRESYNC implies CONDSTORE), UIDONLY (RFC 9586) */
import { AUTHED, type ImapCommand } from '../session/types.js';
import { parseEnableArgs } from '../wire/args/misc.js';
import { atom } from '../wire/encode.js';

const SUPPORTED = new Set(['IMAP4REV2', 'UTF8=ACCEPT', 'CONDSTORE', 'QRESYNC', 'UIDONLY']);

export const enableCmd: ImapCommand = {
  name: 'ENABLE',
  states: AUTHED,
  async run(s, req) {
    const newly: string[] = [];
    for (const c of parseEnableArgs(req.args)) {
      if (!SUPPORTED.has(c) || s.enabled.has(c)) continue;
      s.enabled.add(c);
      newly.push(c === 'IMAP4REV2' ? 'IMAP4rev2' : c);
    }
    s.untagged(atom('ENABLED'), ...newly.map(atom));
  },
};
