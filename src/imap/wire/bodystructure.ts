/**
 * BODY / BODYSTRUCTURE encoding from the stored MIME index (RFC 9051 §7.5.2, §9 "body"):
 *   body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
 *   body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
 *   body-type-text  = media-text SP body-fields SP body-fld-lines
 *   body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
 *   body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
 *   body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
 *   body-ext-mpart  = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
 * BODY (non-extensible) omits the extension data; BODYSTRUCTURE always carries all of it.
 * Types, subtypes and parameter names are upper-cased as in the RFC examples; values kept.
 * body-fld-octets is the byte size of the body as stored (BODY[n] returns exactly those bytes).
 */
import type { MimeParams, MimePart } from '../../mime/types.js';
import { emptyPart as emptyMimePart } from '../../mime/content.js';
import { concat, type WireValue } from './encode.js';
import { EMPTY_ENVELOPE, encodeEnvelope } from './envelope.js';
import { encodeWords } from './rfc2047.js';

export interface BodyStructureOptions {
  /** UTF-8 strings allowed (else RFC 2047 for non-ASCII parameter values) */
  utf8?: boolean;
}

function params(p: MimeParams, utf8: boolean): WireValue {
  if (!p.length) return null;
  const out: WireValue[] = [];
  for (const [k, v] of p) out.push(k.toUpperCase(), utf8 ? v : encodeWords(v));
  return out;
}

function disposition(part: MimePart, utf8: boolean): WireValue {
  if (!part.disposition) return null;
  return [part.disposition.type.toUpperCase(), params(part.disposition.params, utf8)];
}

function language(l: string[] | null): WireValue {
  if (!l || l.length === 0) return null;
  return l.length === 1 ? l[0]! : l;
}

/**
 * An empty text/plain part standing in for a multipart without children (the grammar needs
 * 1*body), without parameters: nothing in the message gave it a charset.
 */
function emptyPart(): MimePart {
  return { ...emptyMimePart(0), params: [] };
}

/** BODY (extended=false) or BODYSTRUCTURE (extended=true) of a part, as a WireValue list. */
export function encodeBodyStructure(part: MimePart, extended: boolean, opts: BodyStructureOptions = {}): WireValue[] {
  const utf8 = !!opts.utf8;
  if (part.type === 'multipart') {
    const kids = part.parts && part.parts.length ? part.parts : [emptyPart()];
    // body-type-mpart = 1*body SP media-subtype: the child bodies have no SP between them
    const out: WireValue[] = [concat(kids.map((k) => encodeBodyStructure(k, extended, opts))), part.subtype.toUpperCase()];
    if (extended) out.push(params(part.params, utf8), disposition(part, utf8), language(part.language), part.location);
    return out;
  }
  const out: WireValue[] = [
    part.type.toUpperCase(),
    part.subtype.toUpperCase(),
    params(part.params, utf8),
    part.id,
    part.description === null ? null : utf8 ? part.description : encodeWords(part.description),
    part.encoding.toUpperCase(),
    part.bodyEnd - part.bodyStart,
  ];
  if (part.type === 'message' && (part.subtype === 'rfc822' || part.subtype === 'global')) {
    // body-type-msg needs envelope, body and lines; an unparsed encapsulation (depth limit)
    // gets an empty envelope and an empty text/plain body so the grammar still holds
    const inner = part.message;
    out.push(
      encodeEnvelope(inner ? inner.envelope : EMPTY_ENVELOPE, utf8),
      encodeBodyStructure(inner ?? emptyPart(), extended, opts),
      part.bodyLines,
    );
  } else if (part.type === 'text') {
    out.push(part.bodyLines);
  }
  if (extended) out.push(part.md5, disposition(part, utf8), language(part.language), part.location);
  return out;
}
