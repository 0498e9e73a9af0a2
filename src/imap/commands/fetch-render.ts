/**
 * FETCH, step 3 of 3: one message's items as a `* n FETCH (...)` response, written into the
 * batch's WireWriter (the one FETCH writer, ../wire/encode.ts). Everything comes from the
 * stored raw bytes and MIME index; nothing is re-parsed. BODY[] is the stored bytes exactly.
 *
 * Binary content (RFC 3516 §4.3 APPEND with literal8, RFC 9051 §6.3.12) — the choice made here:
 * - APPEND keeps the bytes exactly as sent (no content-transfer-encoding is applied), so
 *   BINARY[n] and BODY[n] serve the same stored octets and BODYSTRUCTURE's sizes are theirs.
 * - BODY[...], RFC822, RFC822.HEADER/TEXT are an nstring in RFC 9051 §9 ("BODY" section
 *   ... SP nstring): always sent as a literal {n} (also when empty: `BODY[1] {0}`), never as a
 *   literal8, which the grammar allows only after BINARY. A literal cannot carry NUL
 *   (RFC 9051 §4.3 CHAR8), so a NUL octet in such a section is sent as 0x80, as Dovecot
 *   does; the length is unchanged. The exact octets, NUL included, are what BINARY[n]
 *   returns (as literal8 ~{n} when they contain NUL, RFC 3516 §4.2).
 */
import { binaryBytes, sectionBytes } from '../../mime/section.js';
import { fetchLabel, toMimeSection, type FetchAtt, type PartialRange } from '../wire/args/fetch.js';
import { encodeBodyStructure } from '../wire/bodystructure.js';
import { formatDateTime } from '../wire/date.js';
import { atom, flagList, literal, type WireValue, type WireWriter } from '../wire/encode.js';
import { emailId, threadId } from '../session/object-ids.js';
import { encodeEnvelope } from '../wire/envelope.js';
import type { FetchRow } from './fetch-read.js';

export interface RenderOptions {
  utf8: boolean;
  /** the message is \Recent for this IMAP4rev1 session */
  recent: boolean;
}

function partial(buf: Buffer, p: PartialRange | null): Buffer {
  if (!p) return buf;
  if (p.offset >= buf.length) return buf.subarray(0, 0);
  return buf.subarray(p.offset, p.offset + p.length);
}

/** NUL → 0x80 in a copy (the stored bytes are never changed) */
function withoutNul(b: Buffer): Buffer {
  const c = Buffer.from(b);
  for (let i = c.indexOf(0); i >= 0; i = c.indexOf(0, i + 1)) c[i] = 0x80;
  return c;
}

/** writes the FETCH response; returns false when a part had a transfer encoding that cannot be decoded */
export function renderMessage(
  w: WireWriter,
  head: { num: number; keyword: 'FETCH' | 'UIDFETCH' },
  atts: readonly FetchAtt[],
  row: FetchRow,
  o: RenderOptions,
): boolean {
  const items: Array<[string, WireValue]> = [];
  let decodable = true;
  for (const att of atts) {
    // RFC 9586 §3.3: a UIDFETCH response carries the UID as its number
    if (head.keyword === 'UIDFETCH' && att.type === 'UID') continue;
    const r = renderItem(att, row, o);
    if (r === 'UNKNOWN-CTE') decodable = false;
    else items.push(r);
  }
  w.fetch(head.num, items, head.keyword);
  return decodable;
}

function renderItem(att: FetchAtt, row: FetchRow, o: RenderOptions): [string, WireValue] | 'UNKNOWN-CTE' {
  const m = row.meta;
  const raw = row.raw;
  const index = 'index' in m ? m.index : null;
  const body = (section: ReturnType<typeof toMimeSection>, p: PartialRange | null): WireValue => {
    // (the whole message, path [], needs no index); a section that does not exist is empty, as Dovecot answers (RFC 9051 §6.4.5 leaves it open)
    const bytes = partial(sectionBytes(raw!, index!, section) ?? Buffer.alloc(0), p);
    // a literal cannot carry NUL (RFC 9051 §4.3) and BODY[] is never a literal8: see the header
    return literal(bytes.includes(0) ? withoutNul(bytes) : bytes);
  };
  switch (att.type) {
    case 'FLAGS':
      return ['FLAGS', flagList(m.flags, o.recent)];
    case 'UID':
      return ['UID', m.uid];
    case 'INTERNALDATE':
      return ['INTERNALDATE', formatDateTime(m.internalDate)];
    case 'RFC822.SIZE':
      return ['RFC822.SIZE', m.size];
    case 'MODSEQ':
      return ['MODSEQ', [m.modseq]];
    case 'EMAILID':
      // RFC 8474 §5.1: the message's id for the account, kept by MOVE (objectid: letters, digits)
      return ['EMAILID', [atom(emailId(m.guid))]];
    case 'THREADID':
      return ['THREADID', row.keys ? [atom(threadId(row.keys, m.guid))] : null];
    case 'SAVEDATE':
      // RFC 8514 §4.1: NIL for messages saved before save dates were kept
      return ['SAVEDATE', row.keys?.saveDate != null ? formatDateTime(new Date(row.keys.saveDate)) : null];
    case 'PREVIEW':
      // RFC 8970 §4: computed at delivery, so LAZY never has to wait; NIL only if it is missing
      return ['PREVIEW', row.keys ? row.keys.preview : null];
    case 'ENVELOPE':
      return ['ENVELOPE', encodeEnvelope(index!.root.envelope, o.utf8)];
    case 'BODY':
      return ['BODY', encodeBodyStructure(index!.root, false, { utf8: o.utf8 })];
    case 'BODYSTRUCTURE':
      return ['BODYSTRUCTURE', encodeBodyStructure(index!.root, true, { utf8: o.utf8 })];
    case 'RFC822':
      return ['RFC822', body({ path: [] }, null)];
    case 'RFC822.HEADER':
      return ['RFC822.HEADER', body({ path: [], specifier: 'HEADER' }, null)];
    case 'RFC822.TEXT':
      return ['RFC822.TEXT', body({ path: [], specifier: 'TEXT' }, null)];
    case 'BODY[]':
      return [fetchLabel(att), body(toMimeSection(att.section), att.partial)];
    case 'BINARY[]':
    case 'BINARY.SIZE': {
      if (att.section.text) {
        // HEADER, HEADER.FIELDS, MIME, TEXT are never transfer-encoded: served as BODY[...]
        const bytes = sectionBytes(raw!, index!, toMimeSection(att.section)) ?? Buffer.alloc(0);
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
