/**
 * RFC 2047 encoded-words for IMAP4rev1 sessions without UTF8=ACCEPT: RFC 9051 §7.5.2 and
 * RFC 6855 §3 — a server sends UTF-8 in ENVELOPE/BODYSTRUCTURE strings only to clients that
 * enabled it; others get the text as `=?UTF-8?B?...?=` words (each ≤ 75 chars, RFC 2047 §2,
 * never splitting a UTF-8 sequence, RFC 2047 §5 (3)).
 */

const MAX_BYTES_PER_WORD = 45; // 60 base64 chars + "=?UTF-8?B?" + "?=" = 72 ≤ 75

export function hasNonAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(s);
}

/** Encodes `s` as B encoded-words when it has non-ASCII characters; returns it unchanged otherwise. */
export function encodeWords(s: string): string {
  if (!hasNonAscii(s)) return s;
  const words: string[] = [];
  let cur: Buffer[] = [];
  let curLen = 0;
  const flush = () => {
    if (curLen) words.push(`=?UTF-8?B?${Buffer.concat(cur).toString('base64')}?=`);
    cur = [];
    curLen = 0;
  };
  for (const ch of s) {
    const b = Buffer.from(ch, 'utf8');
    if (curLen + b.length > MAX_BYTES_PER_WORD) flush();
    cur.push(b);
    curLen += b.length;
  }
  flush();
  return words.join(' ');
}
