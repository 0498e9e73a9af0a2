/**
 * The message as a script sees it: header fields parsed once from the raw bytes
 * (src/mime/header.ts), decoded on first use, and the edits of editheader (RFC 5293)
 * applied on top, so later tests see them and later actions deliver them. The body is
 * reached through the MIME index only when a body test runs.
 */
import { parseHeaderBlock } from '../../mime/header.js';
import { decodeWords } from '../../mime/envelope.js';
import { headerAddresses } from './addresses.js';
import type { SieveMessage } from './types.js';

interface Field {
  /** lower-cased name */
  key: string;
  name: string;
  /** unfolded value, not RFC 2047-decoded */
  value: string;
  /** original bytes [start, end) of the field in raw, or the text of an added field */
  source: { start: number; end: number } | string;
  decoded?: string;
  /** the addresses in the value (address and vacation tests), parsed on first use */
  addresses?: Array<[string, string]>;
}

export class MessageView {
  private fields: Field[];
  private byName: Map<string, Field[]> | null = null;
  /** where the header block ends in raw (the blank line included) */
  private readonly bodyOffset: number;
  private edited = false;
  private snapshot: Buffer | null = null;

  constructor(readonly source: SieveMessage) {
    const raw = source.raw;
    const parsed = parseHeaderBlock(raw, 0, raw.length);
    this.fields = parsed.map((f) => ({ key: f.key, name: f.name, value: f.value, source: { start: f.start, end: f.end } }));
    const last = parsed[parsed.length - 1];
    let end = last ? last.end : 0;
    // the blank line that ends the header block
    if (raw[end] === 13 && raw[end + 1] === 10) end += 2;
    else if (raw[end] === 10) end += 1;
    this.bodyOffset = end;
  }

  get size(): number {
    return this.source.raw.length;
  }

  private index(): Map<string, Field[]> {
    if (!this.byName) {
      this.byName = new Map();
      for (const f of this.fields) {
        const list = this.byName.get(f.key);
        if (list) list.push(f);
        else this.byName.set(f.key, [f]);
      }
    }
    return this.byName;
  }

  /** decoded (RFC 2047) unfolded values of the field, in order */
  values(name: string): string[] {
    const list = this.index().get(name.toLowerCase());
    if (!list) return [];
    return list.map((f) => (f.decoded ??= f.value.includes('=?') ? decodeWords(f.value) : f.value));
  }

  /** undecoded unfolded values (addresses are parsed from these) */
  rawValues(name: string): string[] {
    return (this.index().get(name.toLowerCase()) ?? []).map((f) => f.value);
  }

  /** the addresses of each occurrence of the field, parsed once */
  addressLists(name: string): Array<Array<[string, string]>> {
    return (this.index().get(name.toLowerCase()) ?? []).map((f) => (f.addresses ??= headerAddresses(f.value)));
  }

  has(name: string): boolean {
    return this.index().has(name.toLowerCase());
  }

  /** RFC 5293 addheader: a new field first (or last with :last) */
  add(name: string, value: string, last: boolean): void {
    const text = foldField(name, value);
    const f: Field = { key: name.toLowerCase(), name, value, source: text };
    if (last) this.fields.push(f);
    else this.fields.unshift(f);
    this.changed();
  }

  /**
   * RFC 5293 deleteheader: removes the occurrences of `name` for which shouldDelete(value,
   * position, count) is true (positions 1-based among that field's occurrences).
   */
  delete(name: string, shouldDelete: (value: string, position: number, count: number) => boolean): number {
    const key = name.toLowerCase();
    const values = this.values(name);
    let n = 0;
    let removed = 0;
    this.fields = this.fields.filter((f) => {
      if (f.key !== key) return true;
      const i = n++;
      if (!shouldDelete(values[i]!, i + 1, values.length)) return true;
      removed++;
      return false;
    });
    if (removed) this.changed();
    return removed;
  }

  private changed(): void {
    this.edited = true;
    this.byName = null;
    this.snapshot = null;
  }

  /** the message bytes with the edits so far, or null when nothing was edited */
  current(): Buffer | null {
    if (!this.edited) return null;
    if (this.snapshot) return this.snapshot;
    const raw = this.source.raw;
    const parts: Buffer[] = [];
    for (const f of this.fields) parts.push(typeof f.source === 'string' ? Buffer.from(f.source, 'utf8') : raw.subarray(f.source.start, f.source.end));
    parts.push(Buffer.from('\r\n'));
    parts.push(raw.subarray(this.bodyOffset));
    this.snapshot = Buffer.concat(parts);
    return this.snapshot;
  }
}

/**
 * A header field as bytes: RFC 2047-encoded when the value is not ASCII (RFC 5293 §4),
 * folded at spaces to keep lines under 78 characters where possible.
 */
export function foldField(name: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x20-\x7e\t]*$/.test(value);
  const text = ascii ? value : encodeWordsB(value);
  const words = text.split(' ');
  let line = `${name}:`;
  let out = '';
  for (const w of words) {
    if (line.length + 1 + w.length > 76 && line.length > name.length + 1) {
      out += line + '\r\n';
      line = ' ' + w;
    } else line += ' ' + w;
  }
  return out + line + '\r\n';
}

/** RFC 2047 B-encoding of UTF-8 text in words of at most 75 characters */
function encodeWordsB(value: string): string {
  const out: string[] = [];
  let chunk = '';
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      out.push(`=?UTF-8?B?${Buffer.from(chunk).toString('base64')}?=`);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) out.push(`=?UTF-8?B?${Buffer.from(chunk).toString('base64')}?=`);
  return out.join(' ');
}
