/**
 * STORE and UID STORE (RFC 9051 §6.4.6, §6.4.9) with .SILENT and CONDSTORE UNCHANGEDSINCE
 * (RFC 7162 §3.1.3: failures listed in [MODIFIED ...]). Unless silent, every message in
 * the set gets an untagged FETCH with its flags (changed or not).
 */
import { isKeyword } from '../session/flags.js';
import { keywordLimitProblem } from '../session/limits.js';
import type { ImapSession as Session } from '../session/types.js';
import { toUidSet, type SelectedView } from '../session/selected.js';
import { requireRights } from '../session/access.js';
import { permittedFlags, rightForFlag } from '../../store/acl-rights.js';
import { flagList, respCode, seqSet, type WireValue } from '../wire/encode.js';
import { SELECTED, bad, no, type ImapCommand, type Request, type Tagged } from '../session/types.js';
import { parseStoreArgs, type StoreArgs } from '../wire/args/store.js';

async function store(s: Session, req: Request, byUid: boolean): Promise<Tagged | void> {
  const args = parseStoreArgs(req.args);
  const { set, op, silent } = args;
  const unchangedSince = args.unchangedSince ?? undefined;
  if (unchangedSince !== undefined) s.enabled.add('CONDSTORE');
  // RFC 3501 §2.3.2: \Recent cannot be altered by the client
  if (args.flags.includes('\\Recent')) throw bad('\\Recent cannot be stored');
  const v = s.selected!;
  const flags = storableFlags(v, op, args.flags);
  if (v.readOnly) throw no('Mailbox is read-only (EXAMINE)', 'READ-ONLY');
  if (!byUid && v.seqOutOfRange(set)) throw bad('Sequence number out of range (see EXISTS)');
  const uids = byUid ? v.uidSetToUids(set) : v.seqToUids(set);
  if (!uids.length) return;
  await checkKeywordLimits(s, op, flags, uids);
  const r = await s.ctx.store.storeFlags(v.owner, v.mailboxId, toUidSet(uids), op, flags, { origin: s.id, unchangedSince });
  v.ingest(r.changes);
  const failed = new Set(r.failed);
  if (!silent || s.condstore) {
    const updated = new Map(r.updated.map((u) => [u.uid, u]));
    // messages whose flags did not change are reported too (not silent), from the store's current state
    const rest = silent ? [] : uids.filter((u) => !updated.has(u) && !failed.has(u));
    const metas = rest.length ? await s.ctx.store.getMessages(v.owner, v.mailboxId, toUidSet(rest)) : [];
    const all = [...r.updated, ...metas];
    for (const u of all) s.announceKeywords(u.flags);
    // RFC 7162 §3.1.3: with CONDSTORE, .SILENT still reports the new MODSEQ
    const w = s.writer();
    for (const u of all.sort((x, y) => x.uid - y.uid)) {
      const seq = v.seqOf(u.uid);
      if (!seq) continue;
      const items: Array<[string, WireValue]> = [];
      if (byUid || s.rev2 || s.qresync) items.push(['UID', u.uid]);
      if (!silent) items.push(['FLAGS', flagList(u.flags, !s.rev2 && v.isRecent(u.uid))]);
      if (s.condstore) items.push(['MODSEQ', [u.modseq]]);
      s.fetchResponse(w, u.uid, items);
    }
    s.send(w);
  }
  if (r.failed.length) {
    const nums = byUid ? r.failed : r.failed.map((u) => v.seqOf(u)).filter((n) => n > 0).sort((x, y) => x - y);
    return { status: 'OK', code: respCode('MODIFIED', seqSet(nums)), text: 'Conditional STORE failed for some messages' };
  }
}

/**
 * RFC 4314 §4: \Seen needs "s", \Deleted "t", every other flag "w". Flags without their
 * right are left out (a STORE fails only when none of its flags may change); FLAGS
 * (replace) needs all three rights, since it clears whatever it does not name.
 */
function storableFlags(v: SelectedView, op: StoreArgs['op'], flags: string[]): string[] {
  if (op === 'replace') {
    requireRights(v, 'swt');
    return flags;
  }
  const ok = permittedFlags(v.rights, flags);
  if (flags.length && !ok.length) requireRights(v, [...new Set(flags.map(rightForFlag))].join(''));
  return ok;
}

/** NO [LIMIT] when a message would end up with too many or too long keywords (../session/limits.ts) */
async function checkKeywordLimits(s: Session, op: StoreArgs['op'], flags: string[], uids: number[]): Promise<void> {
  if (op === 'remove') return; // removing is always allowed, even keywords stored before these limits
  const problem = keywordLimitProblem(flags);
  if (problem) throw no(problem, 'LIMIT');
  if (op !== 'add' || !flags.some(isKeyword)) return;
  const v = s.selected!;
  for (const m of await s.ctx.store.getMessages(v.owner, v.mailboxId, toUidSet(uids))) {
    const after = keywordLimitProblem([...m.flags, ...flags]);
    if (after) throw no(`${after} (UID ${m.uid})`, 'LIMIT');
  }
}

export const storeCmd: ImapCommand = { name: 'STORE', states: SELECTED, progress: true, sequenceNumbers: true, noExpungeAfter: true, run: (s, r) => store(s, r, false) };
export const uidStoreCmd: ImapCommand = { name: 'UID STORE', states: SELECTED, progress: true, run: (s, r) => store(s, r, true) };
