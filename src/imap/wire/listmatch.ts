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

type PatternToken = { kind: 'lit'; ch: string } | { kind: 'star' } | { kind: 'pct' };

/**
 * Compiles a pattern (reference already joined) into a predicate over UTF-8 mailbox names.
 * Matching simulates the pattern as an automaton, one set of live positions per name
 * character: time O(name × pattern), whatever the pattern. (A backtracking RegExp built
 * from "*a*a*a*a*b" takes exponential time on a name of many "a"s: a client could freeze
 * the server with one LIST.)
 */
export function listMatcher(pattern: string, delimiter: string = MAILBOX_DELIMITER): (name: string) => boolean {
  const p = normalizePatternInbox(pattern, delimiter);
  // runs of wildcards collapse: "**" = "*", "%%" = "%", and any run holding "*" = "*"
  const toks: PatternToken[] = [];
  let literals = 0;
  for (const ch of p) {
    const last = toks[toks.length - 1];
    if (ch === '*' || ch === '%') {
      const kind = ch === '*' ? 'star' : 'pct';
      if (last && last.kind !== 'lit') {
        if (kind === 'star') last.kind = 'star';
        continue;
      }
      toks.push({ kind });
    } else {
      toks.push({ kind: 'lit', ch });
      literals++;
    }
  }
  const m = toks.length;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  /** a live position on a wildcard also makes the position after it live (zero characters) */
  const close = (set: Uint8Array) => {
    for (let i = 0; i < m; i++) if (set[i] && toks[i]!.kind !== 'lit') set[i + 1] = 1;
  };
  return (name: string) => {
    if (literals > name.length) return false; // every literal needs a name character
    cur.fill(0);
    cur[0] = 1;
    close(cur);
    for (const ch of name) {
      next.fill(0);
      let any = false;
      for (let i = 0; i < m; i++) {
        if (!cur[i]) continue;
        const t = toks[i]!;
        if (t.kind === 'lit') {
          if (t.ch === ch) (next[i + 1] = 1), (any = true);
        } else if (t.kind === 'star' || ch !== delimiter) {
          next[i] = 1;
          any = true;
        }
      }
      if (!any) return false;
      close(next);
      [cur, next] = [next, cur];
    }
    return cur[m] === 1;
  };
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
