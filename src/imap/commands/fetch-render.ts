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
import { fetchLabel, toMimeSection, type FetchAtt, type PartialRange, type SectionSpec } from '../wire/args/fetch.js';
import { formatDateTime } from '../wire/date.js';
import { atom, encodeText, flagList, literal, type EncodedText, type WireValue, type WireWriter } from '../wire/encode.js';
import { emailId, threadId } from '../session/object-ids.js';
import { structureValue, summaryText } from './fetch-summary.js';
import type { MimeIndex } from '../../mime/types.js';
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

/** a section's bytes as a literal (partial applied; NUL sent as 0x80, see the header) */
function sectionLiteral(bytes: Buffer, p: PartialRange | null): WireValue {
  const b = partial(bytes, p);
  // a literal cannot carry NUL (RFC 9051 §4.3) and BODY[] is never a literal8: see the header
  return literal(b.includes(0) ? withoutNul(b) : b);
}

/**
 * BODY[HEADER.FIELDS (...)] and BODY[HEADER.FIELDS.NOT (...)] of the message itself, by its
 * header block (FetchRow.headerBlock): the store hands out the same block object while it
 * keeps it in memory, so a message list fetched again (webmail on every page, mobile
 * clients on every sync) copies the selection made before instead of walking the header
 * again. A few field lists per block; the bytes are the same as sectionBytes gives.
 */
const selections = new WeakMap<Buffer, Array<[string, Buffer]>>();
const LISTS_PER_BLOCK = 4;
/** a field list's key (the request's section object, parsed once per command) */
const listKeys = new WeakMap<SectionSpec, string>();

function headerSelection(raw: Buffer, index: MimeIndex, section: SectionSpec): Buffer {
  let key = listKeys.get(section);
  // field names match case-insensitively (RFC 9051 §6.4.5): the selected bytes do not depend on their case
  if (key === undefined) listKeys.set(section, (key = `${section.text} ${(section.fields ?? []).join(' ').toLowerCase()}`));
  let made = selections.get(raw);
  if (made) for (let i = 0; i < made.length; i++) if (made[i]![0] === key) return made[i]![1];
  const bytes = sectionBytes(raw, index, toMimeSection(section)) ?? Buffer.alloc(0);
  if (!made) selections.set(raw, (made = []));
  if (made.length < LISTS_PER_BLOCK) made.push([key, bytes]);
  return bytes;
}

/**
 * ENVELOPE, BODY and BODYSTRUCTURE as encoded once per message and session kind (UTF-8 or
 * not), by the message's MIME index object: the store hands out the same object while it
 * keeps the index cached, so a FETCH of a mailbox rendered before writes stored text. A
 * value that needs a literal is cached as null and encoded each time.
 */
const structures = new WeakMap<object, Array<EncodedText | null | undefined>>();
const STRUCTURE_SLOT = { ENVELOPE: 0, BODY: 2, BODYSTRUCTURE: 4 } as const;

/** writes the FETCH response; returns false when a part had a transfer encoding that cannot be decoded */
export function renderMessage(
  w: WireWriter,
  head: { num: number; keyword: 'FETCH' | 'UIDFETCH' },
  atts: readonly FetchAtt[],
  row: FetchRow,
  o: RenderOptions,
): boolean {
  let decodable = true;
  w.fetchBegin(head.num, head.keyword);
  for (let i = 0; i < atts.length; i++) {
    const att = atts[i]!;
    // RFC 9586 §3.3: a UIDFETCH response carries the UID as its number
    if (head.keyword === 'UIDFETCH' && att.type === 'UID') continue;
    if (!renderItem(w, att, row, o)) decodable = false;
  }
  w.fetchEnd();
  return decodable;
}

/** writes one item (label and value); false (nothing written) for BINARY of an undecodable part */
function renderItem(w: WireWriter, att: FetchAtt, row: FetchRow, o: RenderOptions): boolean {
  const m = row.meta;
  const raw = row.raw;
  const index = 'index' in m ? m.index : null;
  const body = (section: ReturnType<typeof toMimeSection>, p: PartialRange | null): WireValue =>
    // (the whole message, path [], needs no index); a section that does not exist is empty, as Dovecot answers (RFC 9051 §6.4.5 leaves it open)
    sectionLiteral(sectionBytes(raw!, index!, section) ?? Buffer.alloc(0), p);
  switch (att.type) {
    case 'FLAGS':
      w.fetchItem('FLAGS').flags(m.flags, o.recent);
      return true;
    case 'UID':
      w.fetchItem('UID').number(m.uid);
      return true;
    case 'RFC822.SIZE':
      w.fetchItem('RFC822.SIZE').number(m.size);
      return true;
    case 'MODSEQ':
      w.fetchItem('MODSEQ').raw('(').number(m.modseq).raw(')');
      return true;
    case 'ENVELOPE':
    case 'BODY':
    case 'BODYSTRUCTURE': {
      const stored = row.summary ? summaryText(row.summary, att.type, o.utf8) : null;
      if (stored) {
        w.fetchItem(att.type).encoded(stored);
        return true;
      }
      const slot = STRUCTURE_SLOT[att.type] + (o.utf8 ? 1 : 0);
      let cached = structures.get(index!.root);
      if (!cached) structures.set(index!.root, (cached = []));
      let text = cached[slot];
      if (text === undefined) text = cached[slot] = encodeText(structureValue(index!, att.type, o.utf8), { utf8: o.utf8 });
      if (text) w.fetchItem(att.type).encoded(text);
      else w.fetchItem(att.type).value(structureValue(index!, att.type, o.utf8));
      return true;
    }
    case 'BINARY[]':
    case 'BINARY.SIZE': {
      if (att.section.text) {
        // HEADER, HEADER.FIELDS, MIME, TEXT are never transfer-encoded: served as BODY[...]
        const bytes = sectionBytes(raw!, index!, toMimeSection(att.section)) ?? Buffer.alloc(0);
        if (att.type === 'BINARY.SIZE') w.fetchItem(fetchLabel(att)).number(bytes.length);
        else w.fetchItem(fetchLabel(att)).value(literal(partial(bytes, att.partial)));
        return true;
      }
      const r = binaryBytes(raw!, index!, att.part);
      if ('error' in r) {
        if (r.error === 'UNKNOWN-CTE') return false;
        w.fetchItem(fetchLabel(att)).value(null);
        return true;
      }
      if (att.type === 'BINARY.SIZE') {
        w.fetchItem(fetchLabel(att)).number(r.bytes.length);
        return true;
      }
      const bytes = partial(r.bytes, att.partial);
      w.fetchItem(fetchLabel(att)).value(literal(bytes, bytes.includes(0)));
      return true;
    }
  }
  w.fetchItem(fetchLabel(att)).value(itemValue(att, row, o, index, body));
  return true;
}

/** the value of an item without a specialised writer above */
function itemValue(
  att: Exclude<FetchAtt, { type: 'BINARY[]' | 'BINARY.SIZE' }>,
  row: FetchRow,
  o: RenderOptions,
  index: MimeIndex | null,
  body: (section: ReturnType<typeof toMimeSection>, p: PartialRange | null) => WireValue,
): WireValue {
  const m = row.meta;
  switch (att.type) {
    case 'FLAGS':
      return flagList(m.flags, o.recent);
    case 'UID':
      return m.uid;
    case 'INTERNALDATE':
      return formatDateTime(m.internalDate);
    case 'RFC822.SIZE':
      return m.size;
    case 'MODSEQ':
      return [m.modseq];
    case 'EMAILID':
      // RFC 8474 §5.1: the message's id for the account, kept by MOVE (objectid: letters, digits)
      return [atom(emailId(m.guid))];
    case 'THREADID':
      return row.keys ? [atom(threadId(row.keys, m.guid))] : null;
    case 'SAVEDATE':
      // RFC 8514 §4.1: NIL for messages saved before save dates were kept
      return row.keys?.saveDate != null ? formatDateTime(new Date(row.keys.saveDate)) : null;
    case 'PREVIEW':
      // RFC 8970 §4: computed at delivery, so LAZY never has to wait; NIL only if it is missing
      return row.keys ? row.keys.preview : null;
    case 'ENVELOPE':
    case 'BODY':
    case 'BODYSTRUCTURE':
      return structureValue(index!, att.type, o.utf8);
    case 'RFC822':
      return body({ path: [] }, null);
    case 'RFC822.HEADER':
      return body({ path: [], specifier: 'HEADER' }, null);
    case 'RFC822.TEXT':
      return body({ path: [], specifier: 'TEXT' }, null);
    case 'BODY[]': {
      const sec = att.section;
      if (row.headerBlock && sec.part.length === 0 && (sec.text === 'HEADER.FIELDS' || sec.text === 'HEADER.FIELDS.NOT'))
        return sectionLiteral(headerSelection(row.raw!, index!, sec), att.partial);
      return body(toMimeSection(sec), att.partial);
    }
  }
}
