/**
 * Small response encoders (RFC 9051 §4.3 strings, §9 nstring/astring).
 * LOCAL STOPGAP: the wire layer's encoder replaces these when it lands.
 */

/** quoted when safe, else a literal {n}\r\n…; utf8 allows 8-bit text inside quotes (RFC 9051 / RFC 6855) */
export function str(s: string, utf8 = false): string {
  if (s.length < 1000 && !/[\r\n\0]/.test(s) && (utf8 || /^[\x00-\x7f]*$/.test(s))) {
    return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
  }
  return `{${Buffer.byteLength(s)}}\r\n${s}`;
}

export function nstr(s: string | null | undefined, utf8 = false): string {
  return s == null ? 'NIL' : str(s, utf8);
}

/** astring: a bare atom when possible (mailbox names in LIST look nicer) */
export function astr(s: string, utf8 = false): string {
  if (/^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|}~\]]+$/.test(s) && s.toUpperCase() !== 'NIL') return s;
  return str(s, utf8);
}
