/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9, §7.5.2; RFC 3516 BINARY; RFC 7162 §3.1.4
 * CHANGEDSINCE/MODSEQ). Everything is served from the stored raw bytes and MIME index:
 * BODY[] is the stored bytes exactly; nothing is re-parsed.
 *
 * Messages are processed in batches, and output awaits socket drain between messages, so
 * a FETCH of a large mailbox holds at most one batch of metadata and one message in memory.
 * BODY[...] without .PEEK sets \Seen first (one store call per batch) and reports FLAGS.
 */
import { binaryBytes, sectionBytes } from '../../mime/section.js';
import type { MessageMeta, MessageWithIndex } from '../../store/types.js';
import { formatDateTime } from '../session/args.js';
import type { Session } from '../session/session.js';
import { toUidSet } from '../session/selected.js';
import { SELECTED, bad, type ImapCommand, type Request, type Tagged } from '../session/types.js';
import { encodeBodyStructure } from '../wire/bodystructure.js';
import { encodeFetch, flagList, literal, type WireValue } from '../wire/encode.js';
import { encodeEnvelope } from '../wire/envelope.js';
import { parseFetch, type FetchItem } from './fetch-atts.js';

const BATCH = 200;

function partial(buf: Buffer, p: { offset: number; length: number | null } | null): Buffer {
  if (!p) return buf;
  if (p.offset >= buf.length) return buf.subarray(0, 0);
  return buf.subarray(p.offset, p.length === null ? buf.length : p.offset + p.length);
}

async function fetch(s: Session, req: Request, byUid: boolean): Promise<Tagged | void> {
  const a = s.args(req);
  const set = a.seqSet();
  const rest: typeof req.args = [];
  while (!a.done) rest.push(a.next('fetch items'));
  const plan = parseFetch(rest, s.condstore);
  const v = s.selected!;
  if (!byUid && v.seqOutOfRange(set)) throw bad('Sequence number out of range (see EXISTS)');
  const items: FetchItem[] = [...plan.items];
  const has = (n: string) => items.some((i) => i.kind === 'simple' && i.name === n);
  if (byUid && !has('UID')) items.unshift({ kind: 'simple', name: 'UID' });
  if (plan.changedSince !== null || has('MODSEQ')) s.enabled.add('CONDSTORE');
  if (plan.changedSince !== null && !has('MODSEQ')) items.push({ kind: 'simple', name: 'MODSEQ' });
  const setsSeen = !v.readOnly && items.some((i) => (i.kind === 'body' || (i.kind === 'binary' && !i.size)) && !i.peek);
  if (setsSeen && !has('FLAGS')) items.push({ kind: 'simple', name: 'FLAGS' });
  const needIndex = items.some((i) => i.kind !== 'simple' || ['ENVELOPE', 'BODY', 'BODYSTRUCTURE'].includes(i.name));
  const needRaw = items.some((i) => i.kind !== 'simple');
  if (s.condstore && has('FLAGS') && !has('MODSEQ')) items.push({ kind: 'simple', name: 'MODSEQ' });

  const uids = byUid ? v.uidSetToUids(set) : v.seqToUids(set);
  let missing = 0;
  let cte = false;
  for (let i = 0; i < uids.length; i += BATCH) {
    if (s.isClosed) return;
    const batch = uids.slice(i, i + BATCH);
    const uidSet = toUidSet(batch);
    let metas: Array<MessageMeta | MessageWithIndex> = needIndex
      ? await s.ctx.store.getMessagesWithIndex(s.accountId, v.mailboxId, uidSet)
      : await s.ctx.store.getMessages(s.accountId, v.mailboxId, uidSet);
    missing += batch.length - metas.length;
    if (plan.changedSince !== null) metas = metas.filter((m) => m.modseq > plan.changedSince!);
    if (setsSeen) {
      const unseen = metas.filter((m) => !m.flags.includes('\\Seen')).map((m) => m.uid);
      if (unseen.length) {
        const r = await s.ctx.store.storeFlags(s.accountId, v.mailboxId, toUidSet(unseen), 'add', ['\\Seen'], { origin: s.id });
        const byUidMap = new Map(r.updated.map((u) => [u.uid, u]));
        metas = metas.map((m) => {
          const u = byUidMap.get(m.uid);
          return u ? { ...m, flags: u.flags, modseq: u.modseq } : m;
        });
        v.ingest(r.changes);
      }
    }
    for (const m of metas) {
      const seq = v.seqOf(m.uid);
      if (!seq) continue;
      let raw: Buffer | null = null;
      if (needRaw) {
        try {
          raw = await s.ctx.store.getRaw(s.accountId, v.mailboxId, m.uid);
        } catch {
          missing++;
          continue;
        }
      }
      const out: Array<[string, WireValue]> = [];
      for (const it of items) {
        const r = render(s, it, m, raw, v.isRecent(m.uid) && !s.rev2);
        if (r === 'UNKNOWN-CTE') {
          cte = true;
          continue;
        }
        out.push(r);
      }
      for (const chunk of encodeFetch(seq, out, { utf8: s.utf8 })) s.write(chunk);
      await s.flush();
    }
  }
  if (cte) return { status: 'NO', code: 'UNKNOWN-CTE', text: 'Some parts have a transfer encoding that cannot be decoded' };
  if (missing) return { status: 'NO', code: 'EXPUNGEISSUED', text: 'Some of the requested messages no longer exist' };
}

function render(s: Session, it: FetchItem, m: MessageMeta | MessageWithIndex, raw: Buffer | null, recent: boolean): [string, WireValue] | 'UNKNOWN-CTE' {
  const index = 'index' in m ? m.index : null;
  if (it.kind === 'simple') {
    switch (it.name) {
      case 'FLAGS':
        return ['FLAGS', flagList(recent ? [...m.flags, '\\Recent'] : m.flags)];
      case 'UID':
        return ['UID', m.uid];
      case 'INTERNALDATE':
        return ['INTERNALDATE', formatDateTime(m.internalDate)];
      case 'RFC822.SIZE':
        return ['RFC822.SIZE', m.size];
      case 'MODSEQ':
        return ['MODSEQ', [m.modseq]];
      case 'ENVELOPE':
        return ['ENVELOPE', encodeEnvelope(index!.root.envelope, s.utf8)];
      case 'BODY':
        return ['BODY', encodeBodyStructure(index!.root, false, { utf8: s.utf8 })];
      case 'BODYSTRUCTURE':
        return ['BODYSTRUCTURE', encodeBodyStructure(index!.root, true, { utf8: s.utf8 })];
    }
  }
  if (it.kind === 'body') {
    const bytes = sectionBytes(raw!, index!, it.section);
    const label = it.partial ? `${it.label}<${it.partial.offset}>` : it.label;
    return [label, bytes === null ? null : literal(partial(bytes, it.partial))];
  }
  const r = binaryBytes(raw!, index!, it.path);
  if ('error' in r) return r.error === 'UNKNOWN-CTE' ? 'UNKNOWN-CTE' : [it.label, null];
  if (it.size) return [it.label, r.bytes.length];
  const bytes = partial(r.bytes, it.partial);
  const label = it.partial ? `${it.label}<${it.partial.offset}>` : it.label;
  return [label, literal(bytes, bytes.includes(0))];
}

export const fetchCmd: ImapCommand = { name: 'FETCH', states: SELECTED, noExpungeAfter: true, run: (s, r) => fetch(s, r, false) };
export const uidFetchCmd: ImapCommand = { name: 'UID FETCH', states: SELECTED, run: (s, r) => fetch(s, r, true) };

