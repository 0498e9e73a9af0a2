/**
 * Structured header values with parameters: Content-Type (RFC 2045 §5.1) and
 * Content-Disposition (RFC 2183), including RFC 2231 continuations, charsets and
 * languages (§3–§5). RFC 2047 words inside name/filename values are decoded as
 * well (common non-standard practice). Comments (RFC 5322 §3.2.2) are dropped.
 */
import libmime from 'libmime';
import { decodeCharset } from './charset.js';
import type { MimeParams } from './types.js';

export interface Structured {
  /** main value, lower-cased, comments removed ('' when empty) */
  value: string;
  params: MimeParams;
}

/** Remove RFC 5322 comments outside quoted strings. */
export function stripComments(s: string): string {
  if (!s.includes('(')) return s;
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (depth === 0 && c === '"') quoted = !quoted;
    if (!quoted) {
      if (c === '(') {
        depth++;
        continue;
      }
      if (c === ')' && depth > 0) {
        depth--;
        if (depth === 0) out += ' ';
        continue;
      }
    }
    if (depth === 0) out += c;
  }
  return out;
}

/** Split on `sep` outside quoted strings. */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && quoted) {
      cur += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t[0] === '"') {
    const inner = t.endsWith('"') ? t.slice(1, -1) : t.slice(1);
    return inner.replace(/\\(.)/g, '$1');
  }
  if (t.startsWith('"')) return t.slice(1);
  return t;
}

interface Segment {
  index: number;
  encoded: boolean;
  raw: string;
}

function percentDecode(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */ && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 256) bytes.push(c);
    else for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes);
}

/** Join RFC 2231 segments of one parameter into its decoded value. */
function join2231(segs: Segment[]): string {
  segs.sort((a, b) => a.index - b.index);
  let charset = '';
  const chunks: Buffer[] = [];
  segs.forEach((seg, i) => {
    let raw = seg.raw;
    if (seg.encoded && i === 0) {
      // charset'language'value (RFC 2231 §4)
      const m = /^([^']*)'([^']*)'([\s\S]*)$/.exec(raw);
      if (m) {
        charset = m[1]!;
        raw = m[3]!;
      }
    }
    chunks.push(seg.encoded ? percentDecode(raw) : Buffer.from(raw, 'utf8'));
  });
  return decodeCharset(Buffer.concat(chunks), charset || 'utf-8');
}

/** Parse `value; a=b; c*0*=...` into lower-cased value and decoded params (first occurrence wins). */
export function parseStructured(input: string): Structured {
  const parts = splitOutsideQuotes(stripComments(input), ';');
  const value = (parts.shift() ?? '').trim().toLowerCase();
  const order = new Set<string>(); // insertion-ordered, O(1) membership for huge parameter lists
  const plain = new Map<string, string>();
  const ext = new Map<string, Map<number, Segment>>();
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    const rawName = p.slice(0, eq).trim().toLowerCase();
    if (!rawName) continue;
    const rawVal = p.slice(eq + 1);
    const m = /^(.+?)\*(?:(\d+)(\*)?|)$/.exec(rawName);
    if (m) {
      const base = m[1]!;
      const index = m[2] === undefined ? 0 : parseInt(m[2], 10);
      const encoded = m[2] === undefined ? true : m[3] === '*';
      let segs = ext.get(base);
      if (!segs) ext.set(base, (segs = new Map()));
      if (!segs.has(index)) segs.set(index, { index, encoded, raw: unquote(rawVal) });
      order.add(base);
    } else {
      if (!plain.has(rawName)) plain.set(rawName, unquote(rawVal));
      order.add(rawName);
    }
  }
  const params: MimeParams = [];
  for (const name of order) {
    let v: string;
    const segs = ext.get(name);
    if (segs && segs.size) v = join2231([...segs.values()]);
    else v = plain.get(name) ?? '';
    if (name !== 'boundary' && v.includes('=?') && v.includes('?=')) {
      try {
        v = libmime.decodeWords(v);
      } catch {
        // keep as is
      }
    }
    params.push([name, v]);
  }
  return { value, params };
}

export function getParam(params: MimeParams, name: string): string | null {
  for (const [k, v] of params) if (k === name) return v;
  return null;
}
