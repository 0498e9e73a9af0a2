/** Flags in responses (RFC 9051 §2.3.2, §7.3.5 FLAGS, §7.1 PERMANENTFLAGS) */
import { atom, flagList, respCode, type WireWriter } from '../wire/encode.js';
import { ALL_RIGHTS, permittedFlags } from '../../store/acl-rights.js';

/** PERMANENTFLAGS and FLAGS for SELECT (RFC 9051 §7.1 PERMANENTFLAGS, §7.3.5 FLAGS) */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

/** true for a keyword (not a system flag) */
export function isKeyword(f: string): boolean {
  return !f.startsWith('\\');
}

/**
 * "* FLAGS" and "* OK [PERMANENTFLAGS]" for a mailbox with these keywords, into `w`;
 * PERMANENTFLAGS lists only the flags the user's rights let it change (RFC 4314 §5.1.1)
 */
export function flagsResponses(w: WireWriter, keywords: Iterable<string>, readOnly: boolean, rights: string = ALL_RIGHTS): WireWriter {
  const all = [...SYSTEM_FLAGS, ...keywords];
  w.untagged([atom('FLAGS'), flagList(all)]);
  const permanent = readOnly ? [] : [...flagList(permittedFlags(rights, all)), ...(rights.includes('w') ? [atom('\\*')] : [])];
  return w.status('*', 'OK', 'Flags permitted', respCode('PERMANENTFLAGS', permanent));
}
