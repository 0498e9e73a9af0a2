/**
 * REPLACE and UID REPLACE (RFC 8508): APPEND a new version of a message to a mailbox, then
 * expunge the old one from the selected mailbox. The new message is stored first (durable,
 * its APPENDUID sent in an untagged OK before the EXPUNGE/VANISHED, RFC 8508 §3.3); if that
 * fails nothing changed. The old message is expunged by UID only, whatever its flags.
 *   replace = "REPLACE" SP seq-number SP mailbox append-message
 */
import { accessMailbox, requireRights } from '../session/access.js';
import { permittedFlags } from '../../store/acl-rights.js';
import { rethrowTryCreate } from '../session/errors.js';
import { keywordLimitProblem } from '../session/limits.js';
import { SELECTED, bad, no, type ImapCommand, type ImapSession, type Request, type Tagged } from '../session/types.js';
import { parseAppendArgs } from '../wire/args/append.js';
import { ArgCursor } from '../wire/args/cursor.js';
import { sequenceSetFromToken } from '../wire/args/seqset.js';
import { respCode, seqSet } from '../wire/encode.js';

async function replace(s: ImapSession, req: Request, byUid: boolean): Promise<Tagged> {
  const c = new ArgCursor(req.args, req.name);
  const set = sequenceSetFromToken(c.next(byUid ? 'UID' : 'message sequence number'));
  const rest = req.args.slice(1);
  if (set.saved || set.ranges.length !== 1 || set.ranges[0]![0] !== set.ranges[0]![1] || set.ranges[0]![0] === '*') {
    throw bad(`${req.name} takes one message number`);
  }
  const n = set.ranges[0]![0] as number;
  const args = parseAppendArgs(rest, s.names);
  if (args.messages.length !== 1) throw bad(`${req.name} replaces one message with one message`);
  const m = args.messages[0]!;
  const v = s.selected!;
  if (v.readOnly) throw no('Mailbox is read-only (EXAMINE)', 'READ-ONLY');
  if (!byUid && n > v.exists) throw bad('Sequence number out of range (see EXISTS)');
  const oldUid = byUid ? n : v.uidAt(n);
  if (!v.seqOf(oldUid)) throw no(`No message with UID ${oldUid}`, 'NONEXISTENT');
  const limit = s.appendLimit();
  if (m.data.length > limit) throw no(`Message of ${m.data.length} bytes exceeds the limit of ${limit}`, 'TOOBIG');
  if (!m.binary && m.data.includes(0)) throw no('Message contains NUL bytes; send it as a literal8 (~{n})', 'CANNOT');
  const problem = keywordLimitProblem(m.flags ?? []);
  if (problem) throw no(problem, 'LIMIT');
  // RFC 8508 §3.3 with RFC 4314 §4: "i" on the target, "t" and "e" to remove the old message
  const target = await accessMailbox(s, args.mailbox, 'i', 'TRYCREATE');
  requireRights(v, 'te');
  const flags = m.flags?.filter((f) => f !== '\\Recent');
  const r = await s.ctx.store
    .append(target.owner, target.info.id, { raw: m.data, flags: flags && permittedFlags(target.rights, flags), internalDate: m.date ?? undefined }, { origin: s.id })
    .catch(rethrowTryCreate);
  v.ingest(r.changes);
  s.notice('OK', 'Replacement message stored', respCode('APPENDUID', r.uidValidity, seqSet([r.uid])));
  const del = await s.ctx.store.storeFlags(v.owner, v.mailboxId, [oldUid], 'add', ['\\Deleted'], { origin: s.id });
  v.ingest(del.changes);
  const x = await s.ctx.store.expunge(v.owner, v.mailboxId, [oldUid], { origin: s.id });
  v.ingest(x.changes);
  s.log.info({ mailbox: args.mailbox }, 'imap replace');
  return { status: 'OK', text: `${req.name} completed` };
}

export const replaceCmd: ImapCommand = { name: 'REPLACE', states: SELECTED, sequenceNumbers: true, run: (s, r) => replace(s, r, false) };
export const uidReplaceCmd: ImapCommand = { name: 'UID REPLACE', states: SELECTED, run: (s, r) => replace(s, r, true) };
