/**
 * APPEND arguments (RFC 9051 §6.3.12, §9; RFC 3502 MULTIAPPEND; RFC 3516 literal8;
 * RFC 6855 §4 UTF8 append data):
 *   append = "APPEND" SP mailbox 1*append-message                       ; RFC 3502
 *   append-message = append-opts SP append-data
 *   append-opts = [SP flag-list] [SP date-time]
 *   append-data = literal / literal8 / "UTF8" SP "(" literal8 ")"
 *               / "CATENATE" SP "(" cat-part *(SP cat-part) ")"          ; RFC 4469 §5
 *   cat-part = "TEXT" SP literal / "URL" SP astring
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';
import { parseDateTime } from '../date.js';
import { ArgCursor } from './cursor.js';
import { flagsFromTokens } from './flags.js';
import { parseMailboxToken, type NameOptions } from './mailbox.js';

export interface AppendMessage {
  /** null when no flag list was given */
  flags: string[] | null;
  /** null when no date-time was given */
  date: Date | null;
  data: Buffer;
  /** sent as literal8 (may contain NUL) */
  binary: boolean;
  /** sent with the RFC 6855 UTF8 (...) wrapper */
  utf8: boolean;
  /** RFC 4469 CATENATE: the parts to join (data is empty then) */
  parts: CatenatePart[] | null;
}

export type CatenatePart = { text: Buffer; binary: boolean } | { url: string };

/** at most this many CATENATE parts per message */
const MAX_PARTS = 1000;

export interface AppendArgs {
  mailbox: string;
  messages: AppendMessage[];
}

export function parseAppendArgs(args: readonly Token[], opts: NameOptions): AppendArgs {
  const c = new ArgCursor(args, 'APPEND');
  const mailbox = parseMailboxToken(c.next('mailbox name'), opts);
  const messages: AppendMessage[] = [];
  do {
    let flags: string[] | null = null;
    let date: Date | null = null;
    let t = c.next('message literal');
    if (t.type === 'list') {
      flags = flagsFromTokens(t.items);
      t = c.next('message literal');
    }
    if (t.type === 'quoted') {
      date = parseDateTime(t.value);
      t = c.next('message literal');
    }
    let utf8 = false;
    if (t.type === 'atom' && t.value.toUpperCase() === 'CATENATE') {
      const l = c.next('CATENATE parts');
      if (l.type !== 'list' || !l.items.length) bad('CATENATE needs a parenthesized list of TEXT and URL parts');
      if (l.items.length > 2 * MAX_PARTS) bad(`At most ${MAX_PARTS} CATENATE parts`);
      const p = new ArgCursor(l.items, 'CATENATE');
      const parts: CatenatePart[] = [];
      while (!p.done) {
        const kind = p.atom('TEXT or URL').toUpperCase();
        if (kind === 'URL') parts.push({ url: p.astring('URL') });
        else if (kind === 'TEXT') {
          const lit = p.next('TEXT literal');
          if (lit.type !== 'literal') bad('CATENATE TEXT takes a literal');
          parts.push({ text: lit.value, binary: lit.binary });
        } else bad('CATENATE parts are TEXT or URL');
      }
      messages.push({ flags, date, data: Buffer.alloc(0), binary: false, utf8: false, parts });
      continue;
    }
    if (t.type === 'atom' && t.value.toUpperCase() === 'UTF8') {
      const l = c.next('UTF8 (literal8)');
      if (l.type !== 'list' || l.items.length !== 1 || l.items[0]!.type !== 'literal') bad('UTF8 needs ( literal8 )');
      t = l.items[0]!;
      utf8 = true;
    }
    if (t.type !== 'literal') bad('Expected the message as a literal');
    messages.push({ flags, date, data: t.value, binary: t.binary, utf8, parts: null });
  } while (!c.done);
  return { mailbox, messages };
}
