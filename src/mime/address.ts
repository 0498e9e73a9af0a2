/**
 * Address lists for IMAP ENVELOPE (RFC 9051 §7.5.2) from RFC 5322 §3.4 syntax:
 * mailboxes, name-addr with angle brackets, groups ("name: a, b;"), quoted
 * display names, comments (used as the name when no phrase is given),
 * RFC 2047 encoded names and the obsolete source route (RFC 5322 §4.4).
 * Tolerant: never throws, garbage yields best-effort addresses.
 */
import libmime from 'libmime';
import type { EnvelopeAddress } from './types.js';

type Tok =
  | { t: 'atom'; v: string }
  | { t: 'quoted'; v: string }
  | { t: 'comment'; v: string }
  | { t: 'sp'; v: string };

const SPECIALS = '<>,:;@.[]';
/** RFC 2047 encoded-word, matched in place (sticky) so long headers stay linear */
const ENCODED_WORD = /=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=/y;

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '"') {
      let v = '';
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        v += s[i];
        i++;
      }
      i++;
      out.push({ t: 'quoted', v });
      continue;
    }
    if (c === '(') {
      let depth = 1;
      let v = '';
      i++;
      while (i < s.length && depth > 0) {
        const d = s[i]!;
        if (d === '\\' && i + 1 < s.length) {
          v += s[i + 1];
          i += 2;
          continue;
        }
        if (d === '(') depth++;
        else if (d === ')') {
          depth--;
          if (depth === 0) break;
        }
        v += d;
        i++;
      }
      i++;
      out.push({ t: 'comment', v: v.trim() });
      continue;
    }
    if (c === '[') {
      // domain literal: keep as one atom
      const close = s.indexOf(']', i);
      const end = close < 0 ? s.length : close + 1;
      out.push({ t: 'atom', v: s.slice(i, end) });
      i = end;
      continue;
    }
    if (SPECIALS.includes(c)) {
      out.push({ t: 'sp', v: c });
      i++;
      continue;
    }
    let j = i;
    while (j < s.length && !SPECIALS.includes(s[j]!) && !' \t\r\n"('.includes(s[j]!)) j++;
    // keep RFC 2047 words intact even if they contain specials like '.' or '@'... they can't contain spaces
    if (s.startsWith('=?', i)) {
      ENCODED_WORD.lastIndex = i;
      const m = ENCODED_WORD.exec(s);
      if (m) j = i + m[0].length;
    }
    out.push({ t: 'atom', v: s.slice(i, j) });
    i = j;
  }
  return out;
}

function decodeName(s: string): string | null {
  const t = s.replace(/\s+/g, ' ').trim();
  if (!t) return null;
  let d = t;
  if (t.includes('=?')) {
    try {
      d = libmime.decodeWords(t);
    } catch {
      d = t;
    }
  }
  return d.trim() || null;
}

/** Phrase tokens → display text: words joined by single spaces, quoted strings unquoted. */
function phraseText(toks: Tok[]): string {
  const words: string[] = [];
  for (const k of toks) if (k.t === 'atom' || k.t === 'quoted') words.push(k.v);
    else if (k.t === 'sp' && k.v === '.') words.push('.');
  return words.join(' ').replace(/ \. /g, '. ').replace(/ \.$/, '.');
}

function quoteLocal(v: string): string {
  return /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.\u0080-\uffff]+$/.test(v) && v !== '' ? v : '"' + v.replace(/(["\\])/g, '\\$1') + '"';
}

/** addr-spec tokens → mailbox/host (split at the last '@'). */
function addrSpec(toks: Tok[]): { mailbox: string; host: string } {
  let at = -1;
  for (let i = toks.length - 1; i >= 0; i--) {
    const k = toks[i]!;
    if (k.t === 'sp' && k.v === '@') {
      at = i;
      break;
    }
  }
  const text = (list: Tok[]): string =>
    list
      .filter((k) => k.t !== 'comment')
      .map((k) => (k.t === 'quoted' ? quoteLocal(k.v) : k.v))
      .join('');
  if (at < 0) return { mailbox: text(toks), host: '' };
  return { mailbox: text(toks.slice(0, at)), host: text(toks.slice(at + 1)) };
}

function isSp(k: Tok | undefined, v: string): boolean {
  return !!k && k.t === 'sp' && k.v === v;
}

/** Parse an address-list header value (already unfolded, 8-bit decoded). */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const toks = tokenize(value);
  const out: EnvelopeAddress[] = [];
  let inGroup = false;
  let i = 0;
  while (i < toks.length) {
    if (isSp(toks[i], ',')) {
      i++;
      continue;
    }
    if (isSp(toks[i], ';')) {
      if (inGroup) out.push({ name: null, adl: null, mailbox: null, host: null });
      inGroup = false;
      i++;
      continue;
    }
    // collect up to a delimiter that decides what this item is
    const phrase: Tok[] = [];
    let j = i;
    while (j < toks.length && !isSp(toks[j], ',') && !isSp(toks[j], ';') && !isSp(toks[j], '<') && !(isSp(toks[j], ':') && !inGroup)) {
      phrase.push(toks[j]!);
      j++;
    }
    const stop = toks[j];
    if (stop && isSp(stop, ':')) {
      // group start (RFC 5322 §3.4): name ":" [group-list] ";"
      out.push({ name: null, adl: null, mailbox: decodeName(phraseText(phrase)) ?? '', host: null });
      inGroup = true;
      i = j + 1;
      continue;
    }
    if (stop && isSp(stop, '<')) {
      j++;
      const inner: Tok[] = [];
      while (j < toks.length && !isSp(toks[j], '>')) {
        inner.push(toks[j]!);
        j++;
      }
      j++; // skip '>'
      // skip trailing junk (comments etc.) up to the next separator
      const trailing: Tok[] = [];
      while (j < toks.length && !isSp(toks[j], ',') && !isSp(toks[j], ';')) trailing.push(toks[j++]!);
      let adl: string | null = null;
      let spec = inner;
      const colon = inner.findIndex((k) => isSp(k, ':'));
      if (colon >= 0) {
        adl = inner
          .slice(0, colon)
          .filter((k) => k.t !== 'comment')
          .map((k) => k.v)
          .join('');
        spec = inner.slice(colon + 1);
      }
      const { mailbox, host } = addrSpec(spec);
      let name = decodeName(phraseText(phrase));
      if (!name) {
        const cm = [...phrase, ...trailing].find((k) => k.t === 'comment' && k.v);
        if (cm) name = decodeName(cm.v);
      }
      if (mailbox || host || name) out.push({ name, adl: adl || null, mailbox, host });
      i = j;
      continue;
    }
    // bare addr-spec, maybe with a comment as the name: "user@host (Name)"
    if (phrase.length) {
      const comment = phrase.find((k) => k.t === 'comment' && k.v);
      const { mailbox, host } = addrSpec(phrase);
      if (mailbox || host) out.push({ name: comment ? decodeName(comment.v) : null, adl: null, mailbox, host });
    }
    i = j;
  }
  if (inGroup) out.push({ name: null, adl: null, mailbox: null, host: null });
  return out;
}
