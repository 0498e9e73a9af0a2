/**
 * COPY / UID COPY (RFC 9051 §6.4.7), with COPYUID
 * (RFC 4315 §3). A missing target is NO [TRYCREATE]. The shared code also serves MOVE
 * (./move.ts), which sends COPYUID in an untagged OK before the EXPUNGE responses
 * (RFC 6851 §4.3) that the session's sync then emits. The target is resolved with the
 * user's rights (../session/access.ts), so it may be a mailbox another account shares.
 */
import { rethrowTryCreate } from '../session/errors.js';
import type { ImapSession as Session } from '../session/types.js';
import { toUidSet, type SelectedView } from '../session/selected.js';
import { accessMailbox, requireRights, type MailboxAccess } from '../session/access.js';
import { ALL_RIGHTS, permittedFlags } from '../../store/acl-rights.js';
import type { AppendInput, Change, CopyResult } from '../../store/types.js';
import { SELECTED, bad, no, type ImapCommand, type Request, type Tagged } from '../session/types.js';
import { parseCopyArgs } from '../wire/args/misc.js';
import { atom, formatSequenceList, respCode, seqSet } from '../wire/encode.js';

export async function copyOrMove(s: Session, req: Request, byUid: boolean, move: boolean): Promise<Tagged | void> {
  const { set, mailbox: name } = parseCopyArgs(req.args, s.names, move ? 'MOVE' : 'COPY');
  const v = s.selected!;
  if (move) requireRights(v, 'te'); // RFC 6851 §3.3 with RFC 4314 §4: MOVE also deletes from the source
  if (move && v.readOnly) throw no('Mailbox is read-only (EXAMINE)', 'READ-ONLY');
  if (!byUid && v.seqOutOfRange(set)) throw bad('Sequence number out of range (see EXISTS)');
  // RFC 4314 §4: "i" on the target
  const dest = await accessMailbox(s, name, 'i', 'TRYCREATE');
  const uids = byUid ? v.uidSetToUids(set) : v.seqToUids(set);
  if (!uids.length) return { status: 'OK', text: `${move ? 'MOVE' : 'COPY'} completed, no messages` };
  let r: CopyResult;
  if (dest.owner === v.owner && dest.rights === ALL_RIGHTS) {
    const op = move ? s.ctx.store.move.bind(s.ctx.store) : s.ctx.store.copy.bind(s.ctx.store);
    r = await op(v.owner, v.mailboxId, toUidSet(uids), dest.info.id, { origin: s.id }).catch(rethrowTryCreate);
  } else r = await copyAcross(s, v, uids, dest, move);
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

/**
 * COPY or MOVE between accounts, or into a mailbox where the user may not set every flag:
 * the messages are appended to the target (bytes, internal date, and the flags its rights
 * allow, RFC 4314 §4), then a MOVE deletes them from the source. Not one transaction as
 * within an account: a failure after the append leaves the originals in place (never lost).
 */
async function copyAcross(s: Session, v: SelectedView, uids: number[], dest: MailboxAccess, move: boolean): Promise<CopyResult> {
  const store = s.ctx.store;
  const mapping: Array<[number, number]> = [];
  const changes: Change[] = [];
  let uidValidity = dest.info.uidValidity;
  for (let i = 0; i < uids.length; i += 100) {
    const metas = await store.getMessages(v.owner, v.mailboxId, toUidSet(uids.slice(i, i + 100)));
    const inputs: AppendInput[] = [];
    const from: number[] = [];
    for (const m of metas) {
      const raw = await store.getRaw(v.owner, v.mailboxId, m.uid).catch(() => null);
      if (!raw) continue;
      inputs.push({ raw, flags: permittedFlags(dest.rights, m.flags), internalDate: m.internalDate });
      from.push(m.uid);
    }
    if (!inputs.length) continue;
    const results = await store.appendMany(dest.owner, dest.info.id, inputs, { origin: s.id }).catch(rethrowTryCreate);
    results.forEach((res, j) => {
      mapping.push([from[j]!, res.uid]);
      changes.push(...res.changes);
      uidValidity = res.uidValidity;
    });
    if (move) {
      changes.push(...(await store.storeFlags(v.owner, v.mailboxId, toUidSet(from), 'add', ['\\Deleted'], { origin: s.id })).changes);
      changes.push(...(await store.expunge(v.owner, v.mailboxId, toUidSet(from), { origin: s.id })).changes);
    }
  }
  return { uidValidity, mapping, changes };
}

export const copyCmd: ImapCommand = { name: 'COPY', states: SELECTED, progress: true, sequenceNumbers: true, run: (s, r) => copyOrMove(s, r, false, false) };
export const uidCopyCmd: ImapCommand = { name: 'UID COPY', states: SELECTED, progress: true, run: (s, r) => copyOrMove(s, r, true, false) };
