/**
 * Content-* header fields of one part (RFC 2045 §5 Content-Type with its defaults,
 * §6 Content-Transfer-Encoding, §7 Content-ID, §8 Content-Description; RFC 2183
 * Content-Disposition; RFC 3282 Content-Language; RFC 2557 Content-Location;
 * RFC 1864 Content-MD5) and the blank part used as a starting point.
 */
import { findHeader, type HeaderField } from './header.js';
import { parseStructured, stripComments } from './params.js';
import type { MimeParams, MimePart } from './types.js';

/** header fields the index reads (RFC 2045 Content-*, RFC 9051 §7.5.2 ENVELOPE sources) */
export const PART_FIELDS: ReadonlySet<string> = new Set([
  'content-type',
  'content-transfer-encoding',
  'content-id',
  'content-description',
  'content-md5',
  'content-location',
  'content-disposition',
  'content-language',
]);
export const ROOT_FIELDS: ReadonlySet<string> = new Set([
  ...PART_FIELDS,
  'date',
  'subject',
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'in-reply-to',
  'message-id',
]);

export function textPlainDefault(): { type: string; subtype: string; params: MimeParams } {
  return { type: 'text', subtype: 'plain', params: [['charset', 'us-ascii']] };
}

/** Fill the Content-* fields of `part` from its header (RFC 2045 defaults). */
export function applyContentHeaders(part: MimePart, fields: HeaderField[], digestChild: boolean, problem: (text: string) => void): void {
  const ct = findHeader(fields, 'content-type');
  let t = digestChild ? { type: 'message', subtype: 'rfc822', params: [] as MimeParams } : textPlainDefault();
  if (ct !== null) {
    const s = parseStructured(ct);
    // tolerate a quoted media type ("text/html"), seen from some broken mailers
    const m = /^([^/\s"]+)\s*\/\s*([^/\s"]+)$/.exec(s.value.replace(/^"(.*)"$/, '$1'));
    if (m) t = { type: m[1]!, subtype: m[2]!, params: s.params };
    else {
      // RFC 2045 §5.2: an invalid Content-Type means text/plain; charset=us-ascii
      problem(`invalid Content-Type "${ct.slice(0, 80)}", using text/plain`);
      t = textPlainDefault();
    }
  }
  // RFC 2046 §4.1.2: text/* without charset means us-ascii; made explicit for BODYSTRUCTURE
  if (t.type === 'text' && !t.params.some(([k]) => k === 'charset')) t.params = [...t.params, ['charset', 'us-ascii']];
  part.type = t.type;
  part.subtype = t.subtype;
  part.params = t.params;
  const cte = findHeader(fields, 'content-transfer-encoding');
  if (cte !== null) part.encoding = stripComments(cte).trim().toUpperCase() || '7BIT';
  part.id = findHeader(fields, 'content-id');
  part.description = findHeader(fields, 'content-description');
  part.md5 = findHeader(fields, 'content-md5');
  part.location = findHeader(fields, 'content-location');
  const cd = findHeader(fields, 'content-disposition');
  if (cd !== null) {
    const s = parseStructured(cd);
    if (s.value) part.disposition = { type: s.value, params: s.params };
  }
  const cl = findHeader(fields, 'content-language');
  if (cl !== null) {
    const tags = stripComments(cl)
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0);
    part.language = tags.length ? tags : null;
  }
}

export function emptyPart(at: number): MimePart {
  return {
    headerStart: at,
    bodyStart: at,
    bodyEnd: at,
    bodyLines: 0,
    ...textPlainDefault(),
    id: null,
    description: null,
    encoding: '7BIT',
    md5: null,
    disposition: null,
    language: null,
    location: null,
  };
}
