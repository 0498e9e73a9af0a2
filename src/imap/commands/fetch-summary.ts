/**
 * What IMAP keeps of every message in the store's summaries (../../store/summary-types.ts):
 * ENVELOPE, BODY and BODYSTRUCTURE encoded as they go on the wire, for sessions without and
 * with UTF-8 (RFC 9051 / RFC 6855: RFC 2047 words, or UTF-8 in quoted strings). Made once
 * when a message is stored (the store calls fetchSummarizer), so FETCH 1:* (BODYSTRUCTURE
 * ENVELOPE) of a large mailbox reads small rows and writes their text, and never parses a
 * MIME index. An item whose encoding needs a literal is left out: FETCH renders it from
 * the index (fetch-render.ts), as it does for every message when the store has no summaries.
 *
 * Stored as JSON: { e, b, s } the 7-bit encodings of ENVELOPE, BODY, BODYSTRUCTURE; e8, b8,
 * s8 the UTF-8 ones, or true when they are the same text as the 7-bit one.
 */
import type { MimeIndex } from '../../mime/types.js';
import type { Summarizer } from '../../store/summary-types.js';
import { encodeBodyStructure } from '../wire/bodystructure.js';
import { EncodedText, encodeText, type WireValue } from '../wire/encode.js';
import { encodeEnvelope } from '../wire/envelope.js';
import { hasNonAscii } from '../wire/rfc2047.js';

export type StructureItem = 'ENVELOPE' | 'BODY' | 'BODYSTRUCTURE';

const KEY: Record<StructureItem, 'e' | 'b' | 's'> = { ENVELOPE: 'e', BODY: 'b', BODYSTRUCTURE: 's' };

/** the value of a structure item from the index (the one way it is encoded, here and in fetch-render.ts) */
export function structureValue(index: MimeIndex, item: StructureItem, utf8: boolean): WireValue {
  if (item === 'ENVELOPE') return encodeEnvelope(index.root.envelope, utf8);
  return encodeBodyStructure(index.root, item === 'BODYSTRUCTURE', { utf8 });
}

export type FetchSummary = Partial<Record<'e' | 'b' | 's', string> & Record<'e8' | 'b8' | 's8', string | true>>;

export const fetchSummarizer: Summarizer = {
  version: 1,
  summarize(index) {
    try {
      const out: FetchSummary = {};
      for (const item of ['ENVELOPE', 'BODY', 'BODYSTRUCTURE'] as const) {
        const k = KEY[item];
        // no string of the UTF-8 form holds a non-ASCII character (each one is quoted in its
        // text): the 7-bit form has the same strings (RFC 2047 encoding leaves ASCII alone),
        // so the same text; one encoding instead of two for most messages
        const utf8 = encodeText(structureValue(index, item, true), { utf8: true });
        if (utf8 && !hasNonAscii(utf8.text)) {
          out[k] = utf8.text;
          out[`${k}8`] = true;
          continue;
        }
        const ascii = encodeText(structureValue(index, item, false), { utf8: false });
        if (ascii) out[k] = ascii.text;
        if (utf8) out[`${k}8`] = utf8.text === ascii?.text ? true : utf8.text;
      }
      return JSON.stringify(out);
    } catch {
      return null; // FETCH renders from the index
    }
  },
};

/** a stored summary read back; null when there is none or it is unreadable */
export function parseSummary(text: string | null): FetchSummary | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as FetchSummary;
  } catch {
    return null;
  }
}

/** the item's stored encoding for this kind of session, or null (then it is rendered from the index) */
export function summaryText(s: FetchSummary, item: StructureItem, utf8: boolean): EncodedText | null {
  const k = KEY[item];
  const t = utf8 ? s[`${k}8`] : s[k];
  if (t === undefined) return null;
  return new EncodedText(t === true ? s[k]! : t);
}
