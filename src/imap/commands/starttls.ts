/**
 * STARTTLS (RFC 9051 §6.2.1): only on listeners that allow it, only before TLS. The tagged
 * OK goes out before the handshake; input already buffered behind the command is discarded
 * by replacing the reader (no command injection, RFC 9051 §11.1).
 */
import { bad, no, type ImapCommand } from '../session/types.js';
import { parseNoArgs } from '../wire/args/misc.js';

export const starttlsCmd: ImapCommand = {
  name: 'STARTTLS',
  states: ['notauth'],
  async run(s, req) {
    parseNoArgs(req.args, req.name);
    if (s.secure) throw bad('TLS is already active');
    if (!s.info.startTls) throw no('STARTTLS is not offered on this port; use the implicit-TLS port');
    s.tagged(req.tag, 'OK', 'Begin TLS negotiation now');
    try {
      await s.upgradeTls();
    } catch (e) {
      s.log.info({ err: (e as Error).message }, 'imap STARTTLS handshake failed; closing');
      s.end();
    }
    return { status: 'OK', text: '', written: true };
  },
};
