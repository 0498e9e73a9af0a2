/**
 * POP3 response formatting (pure).
 *
 * RFC 1939 §3: a status indicator "+OK" or "-ERR", text, CRLF. Multi-line responses end
 * with a line holding a single "." and every line that starts with "." is byte-stuffed.
 * RFC 2449 §8: an extended response code in square brackets follows the status indicator.
 */

/** RFC 2449 §8 and RFC 3206 response codes letterbox sends. */
export type Pop3RespCode = 'IN-USE' | 'LOGIN-DELAY' | 'AUTH' | 'SYS/TEMP' | 'SYS/PERM';

const clean = (text: string): string => text.replace(/[\r\n]+/g, ' ');

export function ok(text = ''): string {
  return text ? `+OK ${clean(text)}\r\n` : '+OK\r\n';
}

export function err(text: string, code?: Pop3RespCode): string {
  return code ? `-ERR [${code}] ${clean(text)}\r\n` : `-ERR ${clean(text)}\r\n`;
}

/** "+OK first" + each line (dot-stuffed) + "." (RFC 1939 §3) */
export function multiline(first: string, lines: readonly string[]): string {
  let out = ok(first);
  for (const l of lines) out += (l.startsWith('.') ? '.' : '') + clean(l) + '\r\n';
  return out + '.\r\n';
}

/** SASL server challenge (RFC 5034 §4): "+ " base64 */
export function continuation(data: string): string {
  return `+ ${data}\r\n`;
}
