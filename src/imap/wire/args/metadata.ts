/**
 * METADATA arguments (RFC 5464 §4.2, §4.3, §5 formal syntax):
 *   getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
 *   getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
 *   getmetadata-option = "MAXSIZE" SP number / "DEPTH" SP ("0" / "1" / "infinity")
 *   entries = entry / "(" entry *(SP entry) ")"
 *   setmetadata = "SETMETADATA" SP mailbox SP "(" entry-value *(SP entry-value) ")"
 *   entry-value = entry SP value ; value = nstring / literal8
 *   entry = astring  ; a slash-separated path under /private or /shared
 * The mailbox "" names the server's entries (§3.1). Entry names are compared without case
 * (as Dovecot does): they are lower-cased here. Rules (§3.2): they start with /private or
 * /shared, contain no "*", "%" or control characters, no "//" and do not end with "/".
 */
import { bad } from '../errors.js';
import { describeToken, tokenText, type Token } from '../tokens.js';
import { ArgCursor, parseNumber } from './cursor.js';
import { parseMailboxToken, type NameOptions } from './mailbox.js';

/** longest entry name, in bytes (the keyed state holds at most 1024 per key) */
export const METADATA_MAX_ENTRY_NAME = 512;
/** entries named in one GETMETADATA or SETMETADATA */
export const METADATA_MAX_ENTRIES_PER_COMMAND = 100;

export type MetadataDepth = 0 | 1 | 'infinity';

/** "" for the server's entries, else a mailbox name */
export interface MetadataTarget {
  server: boolean;
  mailbox: string;
}

export interface GetMetadataArgs extends MetadataTarget {
  maxSize: number | null;
  depth: MetadataDepth;
  entries: string[];
}

export interface SetMetadataArgs extends MetadataTarget {
  /** value null removes the entry */
  entries: Array<{ entry: string; value: Buffer | null }>;
}

/**
 * An entry name, lower-cased. `root` allows "/private" and "/shared" themselves (GETMETADATA
 * with DEPTH reads under them); SETMETADATA needs a name below one of them.
 */
export function parseEntryName(name: string, root: boolean): string {
  if (Buffer.byteLength(name) > METADATA_MAX_ENTRY_NAME) bad(`Entry name longer than ${METADATA_MAX_ENTRY_NAME} bytes`);
  if (!name.startsWith('/')) bad("Entry name must begin with '/'");
  if (name.includes('//')) bad("Entry name can't contain consecutive '/'");
  if (name.endsWith('/')) bad("Entry name can't end with '/'");
  if (/[*%]/.test(name)) bad("Entry name can't contain '*' or '%'");
  if (/[\x00-\x1f\x7f]/.test(name)) bad("Entry name can't contain control characters");
  const lower = name.toLowerCase();
  const top = lower.split('/')[1];
  if (top !== 'private' && top !== 'shared') bad('Entry name must begin with /private or /shared');
  if (!root && lower === `/${top}`) bad(`Entry name must name an entry below /${top}`);
  return lower;
}

function parseTarget(t: Token, opts: NameOptions): MetadataTarget {
  if (tokenText(t) === '') return { server: true, mailbox: '' };
  return { server: false, mailbox: parseMailboxToken(t, opts) };
}

function entryText(t: Token): string {
  const s = t.type === 'list' || t.type === 'section' ? undefined : tokenText(t);
  if (s === undefined) bad(`Expected an entry name, got ${describeToken(t)}`);
  return s;
}

export function parseGetMetadataArgs(args: readonly Token[], opts: NameOptions): GetMetadataArgs {
  const c = new ArgCursor(args, 'GETMETADATA');
  let maxSize: number | null = null;
  let depth: MetadataDepth = 0;
  const first = c.peek();
  if (first?.type === 'list') {
    c.next('options');
    const o = new ArgCursor(first.items, 'GETMETADATA options');
    if (o.done) bad('Empty GETMETADATA options');
    const seen = new Set<string>();
    while (!o.done) {
      const name = o.atom('option').toUpperCase();
      if (seen.has(name)) bad(`Option ${name} given twice`);
      seen.add(name);
      if (name === 'MAXSIZE') maxSize = parseNumber(o.atom('MAXSIZE value'), 'MAXSIZE');
      else if (name === 'DEPTH') {
        const d = o.atom('DEPTH value').toLowerCase();
        if (d === '0') depth = 0;
        else if (d === '1') depth = 1;
        else if (d === 'infinity') depth = 'infinity';
        else bad('DEPTH is 0, 1 or infinity');
      } else bad(`Unknown GETMETADATA option ${name.slice(0, 40)}`);
    }
  }
  const target = parseTarget(c.next('mailbox name'), opts);
  const e = c.next('entries');
  c.end();
  const names = e.type === 'list' ? e.items : [e];
  if (names.length === 0) bad('No entries');
  if (names.length > METADATA_MAX_ENTRIES_PER_COMMAND) bad(`At most ${METADATA_MAX_ENTRIES_PER_COMMAND} entries in one command`);
  const entries = [...new Set(names.map((t) => parseEntryName(entryText(t), true)))];
  return { ...target, maxSize, depth, entries };
}

export function parseSetMetadataArgs(args: readonly Token[], opts: NameOptions): SetMetadataArgs {
  const c = new ArgCursor(args, 'SETMETADATA');
  const target = parseTarget(c.next('mailbox name'), opts);
  const list = c.list('entries and values');
  c.end();
  if (list.items.length === 0) bad('No entries');
  if (list.items.length % 2) bad('SETMETADATA entries come in entry/value pairs');
  if (list.items.length > METADATA_MAX_ENTRIES_PER_COMMAND * 2) bad(`At most ${METADATA_MAX_ENTRIES_PER_COMMAND} entries in one command`);
  const byName = new Map<string, Buffer | null>();
  for (let i = 0; i < list.items.length; i += 2) {
    const entry = parseEntryName(entryText(list.items[i]!), false);
    const v = list.items[i + 1]!;
    let value: Buffer | null;
    if (v.type === 'atom') {
      if (v.value.toUpperCase() !== 'NIL') bad('A value is a string, a literal or NIL');
      value = null;
    } else if (v.type === 'quoted') value = Buffer.from(v.value, 'utf8');
    else if (v.type === 'literal') value = v.value;
    else bad(`Expected a value, got ${describeToken(v)}`);
    byName.set(entry, value); // the last value given for an entry wins
  }
  return { ...target, entries: [...byName].map(([entry, value]) => ({ entry, value })) };
}
