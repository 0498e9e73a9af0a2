/**
 * String values: encoded-character (RFC 5228 §2.4.2.4) decoded when the script requires
 * it, and variable references (RFC 5229 §3) compiled into templates expanded at run time.
 *
 *   "${hex:41 42}" → "AB";  "${unicode:1F600}" → "😀"   (invalid sequences stay as written)
 *   "${name}", "${1}"  → the variable or match variable (unknown names expand to "")
 */

/** A compiled string: constant text, or parts to join at run time. */
export type Str = string | StrPart[];
export type StrPart = string | { variable: string } | { match: number };

/** RFC 5228 §2.4.2.4 */
export function decodeEncodedCharacters(s: string): string {
  if (!s.includes('${')) return s;
  return s.replace(/\$\{(hex|unicode):([^}]*)\}/gi, (whole, kind: string, body: string) => {
    const items = body.trim() === '' ? [] : body.trim().split(/[ \t\r\n]+/);
    if (kind.toLowerCase() === 'hex') {
      if (!items.every((h) => /^[0-9a-f]{1,2}$/i.test(h))) return whole;
      return Buffer.from(items.map((h) => parseInt(h, 16))).toString('utf8');
    }
    if (!items.every((h) => /^[0-9a-f]{1,6}$/i.test(h))) return whole;
    const cps = items.map((h) => parseInt(h, 16));
    // RFC 5228: a sequence naming a surrogate or a value above 0x10FFFF is an error; left as written
    if (cps.some((cp) => cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) return whole;
    return String.fromCodePoint(...cps);
  });
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|[0-9]+)\}/g;

/** compiles "${…}" references; namespaced names ("${env.x}") are kept as written (RFC 5229 §3) */
export function compileVariables(s: string): Str {
  if (!s.includes('${')) return s;
  const parts: StrPart[] = [];
  let last = 0;
  for (const m of s.matchAll(VARIABLE)) {
    const name = m[1]!;
    if (name.includes('.')) continue;
    if (m.index! > last) parts.push(s.slice(last, m.index));
    parts.push(/^[0-9]+$/.test(name) ? { match: Number(name) } : { variable: name.toLowerCase() });
    last = m.index! + m[0].length;
  }
  if (parts.length === 0) return s;
  if (last < s.length) parts.push(s.slice(last));
  return parts;
}

/** RFC 5229 §4: characters special to :matches, quoted */
export function quoteWildcard(s: string): string {
  return s.replace(/[*?\\]/g, (c) => '\\' + c);
}
