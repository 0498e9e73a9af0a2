/**
 * FETCH, step 3 of 3: one message's items as a `* n FETCH (...)` response, written into the
 * batch's WireWriter (the one FETCH writer, ../wire/encode.ts). Everything comes from the
 * stored raw bytes and MIME index; nothing is re-parsed. BODY[] is the stored bytes exactly.
 */
import { binaryBytes, sectionBytes } from '../../mime/section.js';
import { fetchLabel, toMimeSection, type FetchAtt, type PartialRange } from '../wire/args/fetch.js';
import { encodeBodyStructure } from '../wire/bodystructure.js';
import { formatDateTime } from '../wire/date.js';
import { flagList, literal, type WireValue, type WireWriter } from '../wire/encode.js';
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

/** writes the FETCH response; returns false when a part had a transfer encoding that cannot be decoded */
export function renderMessage(w: WireWriter, seq: number, atts: readonly FetchAtt[], row: FetchRow, o: RenderOptions): boolean {
  const items: Array<[string, WireValue]> = [];
  let decodable = true;
  for (const att of atts) {
    const r = renderItem(att, row, o);
    if (r === 'UNKNOWN-CTE') decodable = false;
    else items.push(r);
  }
  w.fetch(seq, items);
  return decodable;
}

function renderItem(att: FetchAtt, row: FetchRow, o: RenderOptions): [string, WireValue] | 'UNKNOWN-CTE' {
  const m = row.meta;
  const raw = row.raw;
  const index = 'index' in m ? m.index : null;
  const body = (section: ReturnType<typeof toMimeSection>, p: PartialRange | null): WireValue => {
    // (the whole message, path [], needs no index); a section that does not exist is empty, as Dovecot answers (RFC 9051 §6.4.5 leaves it open)
    const bytes = partial(sectionBytes(raw!, index!, section) ?? Buffer.alloc(0), p);
    // NUL cannot travel in a plain literal (RFC 9051 §4.3); APPEND re-encodes binary parts,
    // but mail delivered otherwise may still hold NUL: send such bytes as a literal8
    return literal(bytes, bytes.includes(0));
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
