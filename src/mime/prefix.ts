/**
 * Header fields prepended at delivery (Return-Path, Delivered-To, Received,
 * Authentication-Results, DKIM-Signature) change no part of the MIME structure: every
 * offset moves by the prefix's length and nothing else does (none of these fields is one
 * the index reads, and the top-level header simply grows). So a message delivered to many
 * recipients, each copy with its own prefix, is indexed once and each copy's index is
 * derived here — equal to indexMessage(prefix + raw) (test/unit/mime/prefix.test.ts).
 */
import { isAscii } from 'node:buffer';
import { isFieldLine } from './header.js';
import type { MimeIndex, MimePart } from './types.js';

const LF = 10;
const CR = 13;
const SP = 32;
const TAB = 9;

/**
 * True when `prefix` is whole header field lines: each line a field or its continuation,
 * the first a field, no blank line, every line ending in CRLF.
 */
export function isHeaderPrefix(prefix: Buffer): boolean {
  if (prefix.length === 0) return true;
  if (prefix[prefix.length - 1] !== LF || !isFieldLine(prefix, 0, prefix.length)) return false;
  let pos = 0;
  while (pos < prefix.length) {
    const nl = prefix.indexOf(LF, pos);
    if (nl <= pos || prefix[nl - 1] !== CR) return false; // a bare LF would change the CRLF size (bareLf)
    if (nl - 1 === pos) return false; // blank line: would end the header
    const c = prefix[pos];
    if (c !== SP && c !== TAB && !isFieldLine(prefix, pos, nl)) return false;
    pos = nl + 1;
  }
  return true;
}

function shiftPart(p: MimePart, by: number, root: boolean): MimePart {
  const out: MimePart = { ...p, headerStart: root ? 0 : p.headerStart + by, bodyStart: p.bodyStart + by, bodyEnd: p.bodyEnd + by };
  if (p.parts) out.parts = p.parts.map((c) => shiftPart(c, by, false));
  if (p.message) out.message = shiftPart(p.message, by, false);
  return out;
}

/**
 * The index of `prefix + raw` from the index of `raw`, or null when it cannot be derived
 * (the caller then indexes the copy): the prefix is not whole header fields, or `raw` is
 * empty (an empty message has no header to extend).
 */
export function indexWithPrefix(index: MimeIndex, rawLength: number, prefix: Buffer): MimeIndex | null {
  if (prefix.length === 0) return index;
  if (rawLength === 0 || !isHeaderPrefix(prefix)) return null;
  return {
    ...index,
    root: shiftPart(index.root, prefix.length, true),
    has8bit: index.has8bit || !isAscii(prefix),
  };
}
