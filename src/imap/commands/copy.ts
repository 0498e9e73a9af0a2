/**
 * COPY / UID COPY (RFC 9051 §6.4.7), with COPYUID
 * (RFC 4315 §3). A missing target is NO [TRYCREATE]. The shared code also serves MOVE
 * (./move.ts), which sends COPYUID in an untagged OK before the EXPUNGE responses
 * (RFC 6851 §4.3) that the session's sync then emits.
 */
import { rethrowTryCreate } from '../errors.js';
import type { Session } from '../session/session.js';
import { formatSet, toUidSet } from '../session/selected.js';
import { SELECTED, bad, no, type ImapCommand, type Request, type Tagged } from '../session/types.js';
import { parseCopyArgs } from '../wire/args/misc.js';

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
  if (!r.mapping.length) return { status: 'NO', code: 'EXPUNGEISSUED', text: 'The messages no longer exist' };
  const dst = compress(r.mapping.map((p) => p[1]));
  const fullCode = `COPYUID ${r.uidValidity} ${formatSet(r.mapping.map((p) => p[0]))} ${dst}`;
  if (move) {
    s.write(`* OK [${fullCode}] Moved\r\n`);
    return { status: 'OK', text: 'MOVE completed' };
  }
  return { status: 'OK', code: fullCode, text: 'COPY completed' };
}

/** destination UIDs keep the source order (RFC 4315 §3): compress only ascending runs */
function compress(nums: number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    out.push(i === j ? String(nums[i]) : `${nums[i]}:${nums[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

export const copyCmd: ImapCommand = { name: 'COPY', states: SELECTED, run: (s, r) => copyOrMove(s, r, false, false) };
export const uidCopyCmd: ImapCommand = { name: 'UID COPY', states: SELECTED, run: (s, r) => copyOrMove(s, r, true, false) };
