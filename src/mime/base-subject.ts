/**
 * RFC 5256 §2.1 base subject, and the i;unicode-casemap comparator form (RFC 5051) that
 * SORT and THREAD compare strings with. Computed once at delivery (src/store/sort-keys.ts).
 *
 *   subj-refwd   = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
 *   subj-blob    = "[" *BLOBCHAR "]" *WSP          BLOBCHAR = %x01-5a / %x5c / %x5e-ff
 *   subj-fwd-hdr = "[fwd:"     subj-fwd-trl = "]"
 *   subj-leader  = (*subj-blob subj-refwd) / WSP
 *   subj-trailer = "(fwd)" / WSP
 *
 * Steps (RFC 5256 §2.1): (1) decode (done by the indexer), casemap, WSP runs → one SP;
 * (2) strip subj-trailers; (3) strip subj-leaders; (4) strip a leading subj-blob when
 * something is left after it; (5) repeat 3-4; (6) "[fwd:" ... "]" → strip and go to (2).
 * A subject counts as a reply or forward (RFC 5256 §3 REFERENCES step 5) when step 2
 * removed "(fwd)", step 3 removed a subj-refwd, or step 6 applied.
 */

/** i;unicode-casemap (RFC 5051): titlecase (upper case here) and NFKD decomposition */
export function casemap(s: string): string {
  return s.toUpperCase().normalize('NFKD');
}

const REFWD = /^(?:\[[^[\]\0]*\][ \t]*)*(?:RE|FWD?)[ \t]*(?:\[[^[\]\0]*\][ \t]*)?:/;
const BLOB = /^\[[^[\]\0]*\][ \t]*/;

export interface BaseSubject {
  /** the base subject, case-mapped: compare with plain < / === */
  base: string;
  replyOrForward: boolean;
}

export function baseSubject(subject: string | null): BaseSubject {
  let s = casemap(subject ?? '').replace(/[ \t\r\n]+/g, ' ');
  let rf = false;
  for (;;) {
    // (2) trailers
    for (;;) {
      if (s.endsWith(' ')) s = s.slice(0, -1);
      else if (s.endsWith('(FWD)')) {
        s = s.slice(0, -5);
        rf = true;
      } else break;
    }
    // (3)-(5) leaders and blobs
    for (;;) {
      if (s.startsWith(' ')) {
        s = s.slice(1);
        continue;
      }
      const r = REFWD.exec(s);
      if (r) {
        s = s.slice(r[0].length);
        rf = true;
        continue;
      }
      const b = BLOB.exec(s);
      if (b && /[^ \t]/.test(s.slice(b[0].length))) {
        s = s.slice(b[0].length);
        continue;
      }
      break;
    }
    // (6) [fwd: ... ]
    if (s.startsWith('[FWD:') && s.endsWith(']')) {
      s = s.slice(5, -1);
      rf = true;
      continue;
    }
    return { base: s, replyOrForward: rf };
  }
}
