/**
 * TOP msg n (RFC 1939 §7): header, blank line, first n body lines (any n ≥ 0). Does not set
 * \Seen: clients use TOP to peek.
 */
import type { Pop3Command } from './types.js';
import { err } from '../wire/response.js';
import { parseNumber, resolveMessage } from './args.js';
import { loadRaw, sendMultiline } from './send.js';
import { topSlice } from '../wire/top.js';

export const top: Pop3Command = {
  name: 'TOP',
  states: ['TRANSACTION'],
  async run(s, cmd) {
    const lines = parseNumber(cmd.args[1]);
    if (cmd.args.length !== 2 || lines === null) {
      await s.badCommand(err('Usage: TOP message-number lines'));
      return;
    }
    const m = await resolveMessage(s, cmd.args[0]);
    if (!m) return;
    const raw = await loadRaw(s, m.entry);
    await sendMultiline(s, 'Top of message follows', topSlice(raw, lines));
  },
};
