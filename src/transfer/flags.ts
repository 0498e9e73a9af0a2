/**
 * Flags in files: Maildir info letters (cr.yp.to/proto/maildir.html, with Dovecot's and
 * Courier's keyword conventions handled in maildir-keywords.ts) and the mbox status headers
 * mutt, Dovecot and UW-IMAP write (Status, X-Status, X-Keywords).
 */
import type { Flag } from '../store/types.js';
import { normaliseFlags } from '../store/util.js';

/** Maildir info letters ↔ IMAP flags; "P" (passed) is the $Forwarded keyword, as Dovecot maps it */
const MAILDIR_LETTERS: ReadonlyArray<[string, Flag]> = [
  ['D', '\\Draft'],
  ['F', '\\Flagged'],
  ['P', '$Forwarded'],
  ['R', '\\Answered'],
  ['S', '\\Seen'],
  ['T', '\\Deleted'],
];

/**
 * Flags of a Maildir file name ("unique:2,FRSab"); lower-case letters name keywords by
 * their index in `keywords` (a = 0). Unknown letters are ignored.
 */
export function maildirFlags(info: string, keywords: readonly string[]): Flag[] {
  const out: Flag[] = [];
  for (const ch of info) {
    const sys = MAILDIR_LETTERS.find(([l]) => l === ch);
    if (sys) out.push(sys[1]);
    else if (ch >= 'a' && ch <= 'z') {
      const k = keywords[ch.charCodeAt(0) - 97];
      if (k) out.push(k);
    }
  }
  return normaliseFlags(out);
}

/**
 * The info letters for `flags` (sorted, as the Maildir spec asks), adding keywords to
 * `keywords` as needed (at most 26 fit; the rest are returned in `lost`).
 */
export function maildirInfo(flags: readonly Flag[], keywords: string[]): { info: string; lost: string[] } {
  const letters: string[] = [];
  const lost: string[] = [];
  for (const f of flags) {
    const sys = MAILDIR_LETTERS.find(([, name]) => name.toLowerCase() === f.toLowerCase());
    if (sys) {
      letters.push(sys[0]);
      continue;
    }
    if (f.startsWith('\\')) continue;
    let i = keywords.findIndex((k) => k.toLowerCase() === f.toLowerCase());
    if (i < 0 && keywords.length < 26) i = keywords.push(f) - 1;
    if (i < 0) lost.push(f);
    else letters.push(String.fromCharCode(97 + i));
  }
  return { info: [...new Set(letters)].sort().join(''), lost };
}

/** mbox status headers → flags. Status: R = \Seen; X-Status: A F T D; X-Keywords: words. */
export function mboxFlags(status: string | null, xStatus: string | null, xKeywords: string | null): Flag[] {
  const out: Flag[] = [];
  if (status?.includes('R')) out.push('\\Seen');
  for (const [l, f] of [['A', '\\Answered'], ['F', '\\Flagged'], ['T', '\\Draft'], ['D', '\\Deleted']] as const) if (xStatus?.includes(l)) out.push(f);
  for (const k of (xKeywords ?? '').split(/[\s,]+/)) if (k && !k.startsWith('\\') && !/[(){%*"\]]/.test(k)) out.push(k);
  return normaliseFlags(out);
}

/** flags → the mbox status header values (null = leave the header out) */
export function mboxStatus(flags: readonly Flag[]): { status: string; xStatus: string | null; xKeywords: string | null } {
  const has = (f: string) => flags.some((x) => x.toLowerCase() === f.toLowerCase());
  const x = [has('\\Answered') ? 'A' : '', has('\\Flagged') ? 'F' : '', has('\\Draft') ? 'T' : '', has('\\Deleted') ? 'D' : ''].join('');
  const kw = flags.filter((f) => !f.startsWith('\\'));
  return { status: has('\\Seen') ? 'RO' : 'O', xStatus: x || null, xKeywords: kw.length ? kw.join(' ') : null };
}
