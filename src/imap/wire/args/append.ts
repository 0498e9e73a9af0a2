/**
 * APPEND arguments (RFC 9051 §6.3.12, §9; RFC 3502 MULTIAPPEND; RFC 3516 literal8;
 * RFC 6855 §4 UTF8 append data):
 *   append = "APPEND" SP mailbox 1*append-message                       ; RFC 3502
 *   append-message = append-opts SP append-data
 *   append-opts = [SP flag-list] [SP date-time]
 *   append-data = literal / literal8 / "UTF8" SP "(" literal8 ")"
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
}

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
    if (t.type === 'atom' && t.value.toUpperCase() === 'UTF8') {
      const l = c.next('UTF8 (literal8)');
      if (l.type !== 'list' || l.items.length !== 1 || l.items[0]!.type !== 'literal') bad('UTF8 needs ( literal8 )');
      t = l.items[0]!;
      utf8 = true;
    }
    if (t.type !== 'literal') bad('Expected the message as a literal');
    messages.push({ flags, date, data: t.value, binary: t.binary, utf8 });
  } while (!c.done);
  return { mailbox, messages };
}
