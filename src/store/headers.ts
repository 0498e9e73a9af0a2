/**
 * SEARCH HEADER (RFC 9051 §6.4.4) over the header text stored per message: the lower-cased
 * output of searchableText().header (src/mime/text.ts), one unfolded, RFC 2047-decoded
 * "name: value" line per field. So HEADER needs no parse of the message at search time.
 */

/** true when `headerText` has field `field` whose value contains `value` ("" = field present). */
export function matchHeaderField(headerText: string, field: string, value: string): boolean {
  const prefix = field.toLowerCase() + ':';
  const needle = value.toLowerCase();
  let pos = 0;
  while (pos < headerText.length) {
    const end = headerText.indexOf('\n', pos);
    const stop = end < 0 ? headerText.length : end;
    if (headerText.startsWith(prefix, pos)) {
      if (needle === '' || headerText.slice(pos + prefix.length, stop).includes(needle)) return true;
    }
    pos = stop + 1;
  }
  return false;
}
