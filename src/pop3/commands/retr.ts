/**
 * RETR msg (RFC 1939 §5). With pop3.retr_marks_seen a message RETR sent gets \Seen (as IMAP
 * sees it) when the session ends, like Dovecot: the marks of the whole session are one store
 * update at QUIT, or as the connection ends without QUIT (Pop3Session.writeSeen). TOP never
 * marks.
 */
import type { Pop3Command } from './types.js';
import { resolveMessage } from './args.js';
import { loadForRetr, sendMultiline } from './send.js';

export const retr: Pop3Command = {
  name: 'RETR',
  states: ['TRANSACTION'],
  async run(s, cmd) {
    const m = await resolveMessage(s, cmd.args[0]);
    if (!m) return;
    const raw = await loadForRetr(s, m.entry);
    await sendMultiline(s, `${m.entry.pop3Size} octets`, raw, m.entry.pop3Size === m.entry.size);
    if (s.ctx.config.pop3.retr_marks_seen) s.login!.maildrop.markRetrieved(m.n);
  },
};
