/** flag-list output (RFC 9051 §7.5.2 FLAGS), with \Recent for IMAP4rev1 sessions */
export function formatFlags(flags: readonly string[], recent = false): string {
  const all = recent ? [...flags, '\\Recent'] : flags;
  return `(${all.join(' ')})`;
}

/** PERMANENTFLAGS and FLAGS for SELECT (RFC 9051 §7.1 PERMANENTFLAGS, §7.3.5 FLAGS) */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

/** true for a keyword (not a system flag) */
export function isKeyword(f: string): boolean {
  return !f.startsWith('\\');
}

/** "* FLAGS" and "* OK [PERMANENTFLAGS]" lines for a mailbox with these keywords */
export function flagsLines(keywords: Iterable<string>, readOnly: boolean): string {
  const all = [...SYSTEM_FLAGS, ...keywords].join(' ');
  return `* FLAGS (${all})\r\n* OK [PERMANENTFLAGS ${readOnly ? '()' : `(${all} \\*)`}] Flags permitted\r\n`;
}
