/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9, §7.5.2; RFC 3516 BINARY; RFC 7162 §3.1.4
 * CHANGEDSINCE/MODSEQ). Everything is served from the stored raw bytes and MIME index:
 * BODY[] is the stored bytes exactly; nothing is re-parsed.
 *
 * Messages are processed in batches, and output awaits socket drain between messages, so
 * a FETCH of a large mailbox holds at most one batch of metadata and one message in memory.
 * BODY[...] without .PEEK sets \Seen first (one store call per batch) and reports FLAGS.
 */
import { binaryBytes, sectionBytes, type Section } from '../../mime/section.js';
import type { MessageMeta, MessageWithIndex } from '../../store/types.js';
import type { Session } from '../session/session.js';
import { formatSet, toUidSet } from '../session/selected.js';
import { isKeyword } from '../session/flags.js';
import { SELECTED, bad, type ImapCommand, type Request, type Tagged } from '../session/types.js';
import { fetchLabel, fetchSetsSeen, parseFetchArgs, type FetchAtt, type PartialRange, type SectionSpec } from '../wire/args/fetch.js';
import { encodeBodyStructure } from '../wire/bodystructure.js';
import { formatDateTime } from '../wire/date.js';
import { encodeFetch, flagList, literal, type WireValue } from '../wire/encode.js';
import { encodeEnvelope } from '../wire/envelope.js';

const BATCH = 200;
/** metadata-only FETCH (no bodies, no MIME index) reads this many messages per store call */
const META_BATCH = 2000;
/** items whose response text is built directly as a string (the common FETCH of a list view) */
const SIMPLE = new Set(['UID', 'FLAGS', 'MODSEQ', 'RFC822.SIZE', 'INTERNALDATE']);
/** write and wait for drain once this much output is gathered */
const CORK_LIMIT = 256 * 1024;

function partial(buf: Buffer, p: PartialRange | null): Buffer {
  if (!p) return buf;
  if (p.offset >= buf.length) return buf.subarray(0, 0);
  return buf.subarray(p.offset, p.offset + p.length);
}

function toSection(spec: SectionSpec): Section {
  return { path: spec.part, specifier: spec.text ?? undefined, fields: spec.fields };
}

const NEEDS_INDEX = new Set(['ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'BODY[]', 'BINARY[]', 'BINARY.SIZE', 'RFC822.HEADER', 'RFC822.TEXT']);
/** BODY[] / BODY.PEEK[] of the whole message is the stored bytes: no MIME index needed */
const needsIndex = (a: FetchAtt): boolean =>
  NEEDS_INDEX.has(a.type) && !(a.type === 'BODY[]' && a.section.part.length === 0 && !a.section.text);
const NEEDS_RAW = new Set(['BODY[]', 'BINARY[]', 'BINARY.SIZE', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT']);

async function fetch(s: Session, req: Request, byUid: boolean): Promise<Tagged | void> {
  const args = parseFetchArgs(req.args, { uid: byUid });
  if (args.vanished && !s.qresync) throw bad('VANISHED needs ENABLE QRESYNC first');
  const v = s.selected!;
  if (!byUid && v.seqOutOfRange(args.set)) throw bad('Sequence number out of range (see EXISTS)');
  const atts: FetchAtt[] = [...args.atts];
  const has = (t: string) => atts.some((a) => a.type === t);
  if (args.changedSince !== null || has('MODSEQ')) s.enabled.add('CONDSTORE');
  // RFC 7162 §3.2.4: with QRESYNC every FETCH response carries the UID
  if (s.qresync && !has('UID')) atts.unshift({ type: 'UID' });
  const setsSeen = !v.readOnly && atts.some(fetchSetsSeen);
  // RFC 9051 §6.4.5: when fetching sets \Seen, the new FLAGS are reported (for the messages that changed)
  const flagsAsked = has('FLAGS');
  if (s.condstore && has('FLAGS') && !has('MODSEQ')) atts.push({ type: 'MODSEQ' });
  const needIndex = atts.some(needsIndex);
  const needRaw = atts.some((a) => NEEDS_RAW.has(a.type));

  const uids = byUid ? v.uidSetToUids(args.set) : v.seqToUids(args.set);
  if (args.vanished && args.changedSince !== null && !args.set.saved) {
    // RFC 7162 §3.2.6: UIDs in the requested set expunged since CHANGEDSINCE, before the FETCH data
    const ranges = args.set.ranges.map(([a, b]) => [a === '*' ? Infinity : a, b === '*' ? Infinity : b].sort((x, y) => x - y));
    const gone = (await s.ctx.store.expungedSince(s.accountId, v.mailboxId, args.changedSince)).filter((u) =>
      ranges.some(([a, b]) => u >= a && u <= b),
    );
    if (gone.length) s.write(`* VANISHED (EARLIER) ${formatSet(gone)}\r\n`);
  }
  let missing = 0;
  let cte = false;
  const step = needIndex || needRaw ? BATCH : META_BATCH;
  const simple = atts.every((a) => SIMPLE.has(a.type));
  const light = !setsSeen && !!s.ctx.store.getFlags && atts.every((a) => a.type === 'UID' || a.type === 'FLAGS' || a.type === 'MODSEQ');
  for (let i = 0; i < uids.length; i += step) {
    if (s.isClosed) return;
    const batch = uids.slice(i, i + step);
    const uidSet = toUidSet(batch);
    let metas: Array<MessageMeta | MessageWithIndex> = needIndex
      ? await s.ctx.store.getMessagesWithIndex(s.accountId, v.mailboxId, uidSet)
      : light
        ? // only uid/modseq/flags are read below (simpleLine, CHANGEDSINCE)
          ((await s.ctx.store.getFlags!(s.accountId, v.mailboxId, uidSet)) as MessageMeta[])
        : await s.ctx.store.getMessages(s.accountId, v.mailboxId, uidSet);
    // expunged by another session but not yet announced here: the UID is still known from
    // this session's view, so a FETCH of UIDs only is answered in full (as Dovecot does);
    // anything else about such a message is gone → NO [EXPUNGEISSUED]
    const uidOnly = args.changedSince === null && atts.every((a) => a.type === 'UID');
    const gone = new Set<number>();
    if (metas.length < batch.length) {
      const have = new Set(metas.map((m) => m.uid));
      for (const u of batch) if (!have.has(u)) gone.add(u);
      if (!uidOnly) missing += gone.size;
    }
    if (args.changedSince !== null) metas = metas.filter((m) => m.modseq > args.changedSince!);
    const seenNow = new Set<number>();
    if (setsSeen) {
      const unseen = metas.filter((m) => !m.flags.includes('\\Seen')).map((m) => m.uid);
      if (unseen.length) {
        const r = await s.ctx.store.storeFlags(s.accountId, v.mailboxId, toUidSet(unseen), 'add', ['\\Seen'], { origin: s.id });
        const updated = new Map(r.updated.map((u) => [u.uid, u]));
        metas = metas.map((m) => {
          const u = updated.get(m.uid);
          if (u) seenNow.add(m.uid);
          return u ? { ...m, flags: u.flags, modseq: u.modseq } : m;
        });
        v.ingest(r.changes);
      }
    }
    if (uidOnly && gone.size) {
      const rows = [...metas.map((m) => m.uid), ...gone].sort((a, b) => a - b);
      for (const u of rows) {
        const seq = v.seqOf(u);
        if (seq) s.write(`* ${seq} FETCH (UID ${u})\r\n`);
      }
      await s.flush();
      continue;
    }
    // the responses of one batch are gathered and leave in one write per ~256 KiB (a
    // write per message costs more than the encoding); above that, wait for drain
    const out: Buffer[] = [];
    let outBytes = 0;
    // simple items: the batch's text, turned into one Buffer by send()
    let text = '';
    const send = async () => {
      if (text) {
        const b = Buffer.from(text, 'utf8');
        text = '';
        out.push(b);
        outBytes += b.length;
      }
      if (out.length === 0) return;
      s.write(out.length === 1 ? out[0]! : Buffer.concat(out, outBytes));
      out.length = 0;
      outBytes = 0;
      await s.flush();
    };
    {
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
        const msgAtts = !flagsAsked && seenNow.has(m.uid) ? [...atts, { type: 'FLAGS' } as FetchAtt] : atts;
        if (msgAtts.some((a) => a.type === 'FLAGS') && m.flags.some((f) => isKeyword(f) && !v.keywords.has(f))) {
          // the FLAGS announcement goes after the responses gathered so far
          await send();
          s.announceKeywords(m.flags);
        }
        if (simple) {
          text += simpleLine(seq, msgAtts, m, !s.rev2 && v.isRecent(m.uid));
          if (text.length > CORK_LIMIT) await send();
          continue;
        }
        const items: Array<[string, WireValue]> = [];
        for (const att of msgAtts) {
          const r = render(s, att, m, raw, !s.rev2 && v.isRecent(m.uid));
          if (r === 'UNKNOWN-CTE') cte = true;
          else items.push(r);
        }
        for (const chunk of encodeFetch(seq, items, { utf8: s.utf8 })) {
          out.push(chunk);
          outBytes += chunk.length;
        }
        if (outBytes > CORK_LIMIT) await send();
      }
    }
    await send();
  }
  if (cte) return { status: 'NO', code: 'UNKNOWN-CTE', text: 'Some parts have a transfer encoding that cannot be decoded' };
  if (missing) return { status: 'NO', code: 'EXPUNGEISSUED', text: 'Some of the requested messages no longer exist' };
}

/**
 * `* seq FETCH (...)` for UID/FLAGS/MODSEQ/RFC822.SIZE/INTERNALDATE only, as a string: the
 * same bytes encodeFetch() writes for these items (flags are atoms, the date a quoted string).
 */
function simpleLine(seq: number, atts: readonly FetchAtt[], m: MessageMeta, recent: boolean): string {
  let line = `* ${seq} FETCH (`;
  for (let i = 0; i < atts.length; i++) {
    if (i) line += ' ';
    switch (atts[i]!.type) {
      case 'UID':
        line += `UID ${m.uid}`;
        break;
      case 'FLAGS':
        line += `FLAGS (${m.flags.join(' ')}${recent ? (m.flags.length ? ' \\Recent' : '\\Recent') : ''})`;
        break;
      case 'MODSEQ':
        line += `MODSEQ (${Math.trunc(m.modseq)})`;
        break;
      case 'RFC822.SIZE':
        line += `RFC822.SIZE ${Math.trunc(m.size)}`;
        break;
      case 'INTERNALDATE':
        line += `INTERNALDATE "${formatDateTime(m.internalDate)}"`;
        break;
    }
  }
  return line + ')\r\n';
}

function render(
  s: Session,
  att: FetchAtt,
  m: MessageMeta | MessageWithIndex,
  raw: Buffer | null,
  recent: boolean,
): [string, WireValue] | 'UNKNOWN-CTE' {
  const index = 'index' in m ? m.index : null;
  const body = (section: Section, p: PartialRange | null): WireValue => {
    // a section that does not exist is empty, as Dovecot answers (RFC 9051 §6.4.5 leaves it open)
    const bytes = partial(sectionBytes(raw!, index!, section) ?? Buffer.alloc(0), p);
    // NUL cannot travel in a plain literal (RFC 9051 §4.3); APPEND re-encodes binary parts,
    // but mail delivered otherwise may still hold NUL: send such bytes as a literal8
    return literal(bytes, bytes.includes(0));
  };
  switch (att.type) {
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
    case 'RFC822':
      return ['RFC822', body({ path: [] }, null)];
    case 'RFC822.HEADER':
      return ['RFC822.HEADER', body({ path: [], specifier: 'HEADER' }, null)];
    case 'RFC822.TEXT':
      return ['RFC822.TEXT', body({ path: [], specifier: 'TEXT' }, null)];
    case 'BODY[]':
      return [fetchLabel(att), body(toSection(att.section), att.partial)];
    case 'BINARY[]':
    case 'BINARY.SIZE': {
      if (att.section.text) {
        // HEADER, HEADER.FIELDS, MIME, TEXT are never transfer-encoded: served as BODY[...]
        const bytes = sectionBytes(raw!, index!, toSection(att.section)) ?? Buffer.alloc(0);
        if (att.type === 'BINARY.SIZE') return [fetchLabel(att), bytes.length];
        return [fetchLabel(att), literal(partial(bytes, att.partial))];
      }
      const r = binaryBytes(raw!, index!, att.part);
      if ('error' in r) return r.error === 'UNKNOWN-CTE' ? 'UNKNOWN-CTE' : [fetchLabel(att), null];
      if (att.type === 'BINARY.SIZE') return [fetchLabel(att), r.bytes.length];
      const bytes = partial(r.bytes, att.partial);
      return [fetchLabel(att), literal(bytes, bytes.includes(0))];
    }
  }
}

export const fetchCmd: ImapCommand = { name: 'FETCH', states: SELECTED, noExpungeAfter: true, run: (s, r) => fetch(s, r, false) };
export const uidFetchCmd: ImapCommand = { name: 'UID FETCH', states: SELECTED, run: (s, r) => fetch(s, r, true) };
