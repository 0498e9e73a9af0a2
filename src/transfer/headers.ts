/**
 * Header fields that file formats and sync tools keep inside messages but that are not
 * part of the mail: mbox status headers (mbox.ts) and mbsync's X-TUID, which isync adds to
 * every message it copies to track it (maildir.ts). They are taken out of the header block
 * on import, the rest of the bytes untouched.
 */
import { parseHeaderBlock, type HeaderField } from '../mime/header.js';

/** the fields of the header block named in `names` (lower-case), and the bytes without them */
export function takeHeaderFields(raw: Buffer, names: ReadonlySet<string>): { fields: HeaderField[]; rest: Buffer } {
  const fields = parseHeaderBlock(raw, 0, raw.length, undefined, names);
  if (fields.length === 0) return { fields, rest: raw };
  const keep: Buffer[] = [];
  let pos = 0;
  for (const f of fields) {
    keep.push(raw.subarray(pos, f.start));
    pos = f.end;
  }
  keep.push(raw.subarray(pos));
  return { fields, rest: Buffer.concat(keep) };
}

const MBSYNC = new Set(['x-tuid']);

/** removes mbsync's X-TUID tracking header (12 base64 characters) */
export function withoutSyncHeaders(raw: Buffer): Buffer {
  const { fields, rest } = takeHeaderFields(raw, MBSYNC);
  return fields.length === 1 && /^[A-Za-z0-9+/]{12}$/.test(fields[0]!.value) ? rest : raw;
}
