/**
 * A small, independent IMAP response parser for the encoder round-trip tests (not used by
 * the server). Values: NIL → null, number → number, quoted/literal → string,
 * other atoms → { atom }, lists → arrays (items may be unseparated: 1*body, 1*address).
 */
export type RVal = null | number | string | { atom: string } | RVal[];

export function parseResponse(input: Buffer | string): RVal[] {
  const b = Buffer.isBuffer(input) ? input : Buffer.from(input, 'utf8');
  let i = 0;
  const skipSp = () => {
    while (b[i] === 0x20) i++;
  };
  function value(): RVal {
    const c = b[i];
    if (c === 0x28) {
      i++;
      const items: RVal[] = [];
      for (;;) {
        skipSp();
        if (b[i] === 0x29) {
          i++;
          return items;
        }
        if (i >= b.length) throw new Error('unterminated list');
        items.push(value());
      }
    }
    if (c === 0x22) {
      i++;
      const bytes: number[] = [];
      while (b[i] !== 0x22) {
        if (i >= b.length) throw new Error('unterminated quoted');
        if (b[i] === 0x5c) i++;
        bytes.push(b[i]!);
        i++;
      }
      i++;
      return Buffer.from(bytes).toString('utf8');
    }
    if (c === 0x7b || (c === 0x7e && b[i + 1] === 0x7b)) {
      const close = b.indexOf(0x7d, i);
      const n = Number(b.toString('latin1', i + (c === 0x7e ? 2 : 1), close));
      if (b[close + 1] !== 0x0d || b[close + 2] !== 0x0a) throw new Error('literal without CRLF');
      const start = close + 3;
      i = start + n;
      return b.toString('utf8', start, start + n);
    }
    const start = i;
    let depth = 0;
    while (i < b.length) {
      const ch = b[i]!;
      if (ch === 0x5b) depth++;
      else if (ch === 0x5d) depth--;
      else if (depth === 0 && (ch === 0x20 || ch === 0x28 || ch === 0x29 || ch === 0x0d)) break;
      i++;
    }
    const s = b.toString('utf8', start, i);
    if (s === 'NIL') return null;
    if (/^\d+$/.test(s)) return Number(s);
    if (!s) throw new Error(`unexpected byte at ${i}`);
    return { atom: s };
  }
  const out: RVal[] = [];
  while (i < b.length) {
    skipSp();
    if (b[i] === 0x0d && b[i + 1] === 0x0a) {
      i += 2;
      continue;
    }
    if (i >= b.length) break;
    out.push(value());
  }
  return out;
}
