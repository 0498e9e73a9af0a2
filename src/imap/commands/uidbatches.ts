/**
 * UIDBATCHES (RFC 10022): UID ranges that split the selected mailbox into batches of `size`
 * messages, newest first, so a client (UIDONLY ones above all) can FETCH, SEARCH or STORE a
 * mailbox a batch at a time. Batch 1 holds the `size` highest UIDs, batch 2 the next, the last
 * batch what remains; each is written highest:lowest UID of the batch (one UID alone when the
 * batch has one message), comma-separated, after the command's TAG correlator:
 *   * UIDBATCHES (TAG "t") 1201:702,701:201,200:3
 * The batches are those of this session's view (messages expunged by others and not yet
 * reported still count). A batch range past the last batch gives the response without
 * ranges; a size below RFC 10022's minimum of 500 is NO [TOOFEW]. The work is one pass over
 * the view's UID array, so no count needs a limit (no TOOMANY).
 */
import { SELECTED, no, type ImapCommand } from '../session/types.js';
import { parseUidBatchesArgs } from '../wire/args/uidbatches.js';
import { atom, type WireValue } from '../wire/encode.js';

/** RFC 10022: clients ask for at least this many messages per batch */
export const MIN_BATCH_SIZE = 500;

export const uidbatchesCmd: ImapCommand = {
  name: 'UIDBATCHES',
  states: SELECTED,
  async run(s, req) {
    const { size, range } = parseUidBatchesArgs(req.args);
    const v = s.selected!;
    const n = v.exists;
    const batches = Math.ceil(n / size);
    const first = range?.first ?? 1;
    const last = Math.min(range?.last ?? batches, batches);
    const resp: WireValue[] = [atom('UIDBATCHES'), [atom('TAG'), req.tag]];
    if (first <= last) {
      if (size < MIN_BATCH_SIZE) throw no(`UIDBATCHES needs at least ${MIN_BATCH_SIZE} messages per batch`, 'TOOFEW');
      const parts: string[] = [];
      for (let k = first; k <= last; k++) {
        const hi = v.uidAt(n - (k - 1) * size);
        const lo = v.uidAt(Math.max(1, n - k * size + 1));
        parts.push(hi === lo ? String(hi) : `${hi}:${lo}`);
      }
      resp.push(atom(parts.join(',')));
    }
    s.untagged(...resp);
  },
};
