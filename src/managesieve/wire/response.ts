/**
 * ManageSieve responses (RFC 5804 §1.3, §4): OK / NO / BYE with an optional response
 * code and a human-readable string, strings quoted or as literals. The one encoder.
 */
/** a string as the protocol writes it: quoted (\" and \\ escaped) when short and on one line, else a literal {n} */
export function str(s: string): string {
  if (s.length <= 1024 && !/[\r\n\0]/.test(s)) return `"${s.replace(/["\\]/g, (c) => '\\' + c)}"`;
  return `{${Buffer.byteLength(s)}}\r\n${s}`;
}

export type Status = 'OK' | 'NO' | 'BYE';

/** e.g. response('NO', 'QUOTA/MAXSIZE', 'Script too big') → NO (QUOTA/MAXSIZE) "Script too big" */
export function response(status: Status, code: string | null, text?: string): string {
  let line = status;
  if (code) line += ` (${code})`;
  if (text !== undefined && text !== '') line += ' ' + str(text);
  return line + '\r\n';
}

export const ok = (text?: string, code: string | null = null) => response('OK', code, text);
export const no = (text: string, code: string | null = null) => response('NO', code, text);
export const bye = (text: string, code: string | null = null) => response('BYE', code, text);

/** RFC 5804 §1.7 capability lines, then OK */
export function capabilityLines(caps: Array<[string, string | null]>): string {
  return caps.map(([k, v]) => (v === null ? `${str(k)}\r\n` : `${str(k)} ${str(v)}\r\n`)).join('');
}
