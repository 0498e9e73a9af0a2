/**
 * LIST pattern matching (RFC 9051 §6.3.9): "*" matches zero or more characters, "%"
 * matches zero or more characters except the hierarchy delimiter. The reference is
 * prefixed to the pattern as is (RFC 9051 §6.3.9 leaves its interpretation to the
 * server; plain concatenation is what clients expect, e.g. "~/Mail/" + "%").
 * "INBOX" is case-insensitive: a pattern whose first level spells INBOX in any case is
 * matched as "INBOX".
 */
import { MAILBOX_DELIMITER } from '../../store/types.js';

export function joinListReference(reference: string, pattern: string): string {
  return reference + pattern;
}

function normalizePatternInbox(p: string, delim: string): string {
  if (p.length >= 5 && p.slice(0, 5).toUpperCase() === 'INBOX') {
    const next = p[5];
    if (next === undefined || next === delim || next === '*' || next === '%') return 'INBOX' + p.slice(5);
  }
  return p;
}

/** Compiles a pattern (reference already joined) into a predicate over UTF-8 mailbox names. */
export function listMatcher(pattern: string, delimiter: string = MAILBOX_DELIMITER): (name: string) => boolean {
  const p = normalizePatternInbox(pattern, delimiter);
  // escapes valid under the "u" flag: syntax characters outside a class; \ ] ^ - inside one
  const d = delimiter.replace(/[\\\]^-]/g, '\\$&');
  let re = '^';
  for (const ch of p) {
    if (ch === '*') re += '.*';
    else if (ch === '%') re += `[^${d}]*`;
    else re += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  const rx = new RegExp(re + '$', 'su');
  return (name: string) => rx.test(name);
}

/** "a/b/c" → ["a", "a/b"]: the session lists non-existent parents matching "%" as \NonExistent (RFC 9051 §6.3.9). */
export function parentNames(name: string, delimiter: string = MAILBOX_DELIMITER): string[] {
  const out: string[] = [];
  let i = name.indexOf(delimiter);
  while (i > 0) {
    out.push(name.slice(0, i));
    i = name.indexOf(delimiter, i + 1);
  }
  return out;
}
