/**
 * Flags (RFC 9051 §9):
 *   flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
 *   flag-keyword = "$MDNSent" / "$Forwarded" / "$Junk" / "$NotJunk" / "$Phishing" / atom
 *   flag-list = "(" [flag *(SP flag)] ")"
 * System flags are normalised to their canonical spelling; keywords keep their case.
 * "\Recent" is accepted syntactically (rev1); the session decides (it cannot be stored).
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';

export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft', '\\Recent'] as const;
const CANON = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f as string]));

/** atom-specials excluded from flag atoms (RFC 9051 §9 ATOM-CHAR): ( ) { SP CTL % * " \ ] */
const ATOM_RE = /^[^(){ \x00-\x1f\x7f%*"\\\]]+$/;

/** Validates and normalises one flag. Throws WireError. */
export function parseFlag(s: string): string {
  if (s.startsWith('\\')) {
    const c = CANON.get(s.toLowerCase());
    if (c) return c;
    if (!ATOM_RE.test(s.slice(1))) bad(`Bad flag "${s.slice(0, 40)}"`);
    return s; // flag-extension
  }
  if (!ATOM_RE.test(s)) bad(`Bad flag "${s.slice(0, 40)}"`);
  return s;
}

/** A flag-list token "(...)" → flags, duplicates removed. */
export function parseFlagList(t: Token | undefined): string[] {
  if (!t || t.type !== 'list') bad('Expected a flag list in parentheses');
  return flagsFromTokens(t.items);
}

/** Flag atoms (from a list, or the bare "flag *(SP flag)" form of STORE). */
export function flagsFromTokens(items: readonly Token[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const it of items) {
    if (it.type !== 'atom') bad('Flags must be atoms');
    const f = parseFlag(it.value);
    const k = f.toLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      out.push(f);
    }
  }
  return out;
}
