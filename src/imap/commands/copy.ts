/**
 * COPY / UID COPY (RFC 9051 §6.4.7), with COPYUID
 * (RFC 4315 §3). A missing target is NO [TRYCREATE]. The shared code also serves MOVE
 * (./move.ts), which sends COPYUID in an untagged OK before the EXPUNGE responses
 * (RFC 6851 §4.3) that the session's sync then emits.
 */
import { rethrowTryCreate } from '../session/errors.js';
import type { ImapSession as Session } from '../session/types.js';
import { toUidSet } from '../session/selected.js';
import { SELECTED, bad, no, type ImapCommand, type Request, type Tagged } from '../session/types.js';
import { parseCopyArgs } from '../wire/args/misc.js';
import { atom, formatSequenceList, respCode, seqSet } from '../wire/encode.js';

export async function copyOrMove(s: Session, req: Request, byUid: boolean, move: boolean): Promise<Tagged | void> {
  const { set, mailbox: name } = parseCopyArgs(req.args, s.names, move ? 'MOVE' : 'COPY');
  const v = s.selected!;
  if (move && v.readOnly) throw no('Mailbox is read-only (EXAMINE)', 'READ-ONLY');
  if (!byUid && v.seqOutOfRange(set)) throw bad('Sequence number out of range (see EXISTS)');
  const dest = await s.ctx.store.getMailbox(s.accountId, name);
  if (!dest) throw no(`Mailbox "${name}" does not exist`, 'TRYCREATE');
  const uids = byUid ? v.uidSetToUids(set) : v.seqToUids(set);
  if (!uids.length) return { status: 'OK', text: `${move ? 'MOVE' : 'COPY'} completed, no messages` };
  const op = move ? s.ctx.store.move.bind(s.ctx.store) : s.ctx.store.copy.bind(s.ctx.store);
  const r = await op(s.accountId, v.mailboxId, toUidSet(uids), dest.id, { origin: s.id }).catch(rethrowTryCreate);
  v.ingest(r.changes);
  if (!r.mapping.length) return { status: 'NO', code: respCode('EXPUNGEISSUED'), text: 'The messages no longer exist' };
  // destination UIDs keep the source order (RFC 4315 §3): only ascending runs are compressed
  const fullCode = respCode('COPYUID', r.uidValidity, seqSet(r.mapping.map((p) => p[0])), atom(formatSequenceList(r.mapping.map((p) => p[1]))));
  if (move) {
    s.notice('OK', 'Moved', fullCode);
    return { status: 'OK', text: 'MOVE completed' };
  }
  return { status: 'OK', code: fullCode, text: 'COPY completed' };
}

export const copyCmd: ImapCommand = { name: 'COPY', states: SELECTED, progress: true, sequenceNumbers: true, run: (s, r) => copyOrMove(s, r, false, false) };
export const uidCopyCmd: ImapCommand = { name: 'UID COPY', states: SELECTED, progress: true, run: (s, r) => copyOrMove(s, r, true, false) };
