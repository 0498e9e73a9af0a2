/**
 * RETR msg (RFC 1939 §5). With pop3.retr_marks_seen the message gets \Seen (as IMAP sees it)
 * right after it was sent, like Dovecot: the client has the message even if the connection
 * drops before QUIT. A failure to set the flag is logged, never reported to the client.
 * The mark is settled before the session's next command other than RETR.
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
    await sendMultiline(s, `${m.entry.pop3Size} octets`, raw);
    if (!s.ctx.config.pop3.retr_marks_seen) return;
    const { account, maildrop } = s.login!;
    // not awaited here: pipelined RETRs share one store commit; the session settles the
    // marks before its next command other than RETR (and before QUIT's UPDATE)
    s.settleLater(
      s.ctx.store.storeFlags(account.id, maildrop.inbox.id, [m.entry.uid], 'add', ['\\Seen'], { origin: s.origin }).then(
        () => undefined,
        (e: unknown) => s.log.debug({ uid: m.entry.uid, err: (e as Error).message }, 'POP3 RETR could not mark the message \\Seen'),
      ),
    );
  },
};
