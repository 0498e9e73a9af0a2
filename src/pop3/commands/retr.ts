/**
 * RETR msg (RFC 1939 §5). With pop3.retr_marks_seen the message gets \Seen (as IMAP sees it)
 * right after it was sent, like Dovecot: the client has the message even if the connection
 * drops before QUIT. A failure to set the flag is logged, never reported to the client.
 * Marks of pipelined RETRs are gathered into one store update (Pop3Session.markSeen).
 */
import type { Pop3Command } from './types.js';
import { resolveMessage } from './args.js';
import { loadRaw, sendMultiline } from './send.js';

export const retr: Pop3Command = {
  name: 'RETR',
  states: ['TRANSACTION'],
  async run(s, cmd) {
    const m = await resolveMessage(s, cmd.args[0]);
    if (!m) return;
    const raw = await loadRaw(s, m.entry);
    await sendMultiline(s, `${m.entry.pop3Size} octets`, raw, m.entry.pop3Size === m.entry.size);
    if (!s.ctx.config.pop3.retr_marks_seen) return;
    s.markSeen(m.entry.uid);
  },
};
