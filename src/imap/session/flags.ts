/** flag-list output (RFC 9051 §7.5.2 FLAGS), with \Recent for IMAP4rev1 sessions */
export function formatFlags(flags: readonly string[], recent = false): string {
  const all = recent ? [...flags, '\\Recent'] : flags;
  return `(${all.join(' ')})`;
}

/** PERMANENTFLAGS and FLAGS for SELECT (RFC 9051 §7.1 PERMANENTFLAGS, §7.3.5 FLAGS) */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];
