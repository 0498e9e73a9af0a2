/**
 * Syntax checks and parsing for what the CLI and the admin console take in: domains, addresses (RFC 5321 §4.1.2
 * Dot-string local parts; RFC 1035 §2.3.1 labels, UTF-8 allowed for IDN), sizes ("500M").
 */

/** Input an operator or user got wrong; the message says what and why (the CLI prints it, the web shows it). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Lower-cased domain, or InputError naming what is wrong. */
export function parseDomain(input: string, what = 'domain'): string {
  const d = input.trim().toLowerCase().replace(/\.$/, '');
  const bad = (why: string) => new InputError(`invalid ${what} "${input}": ${why}`);
  if (!d) throw bad('empty');
  if (d.length > 253) throw bad('longer than 253 characters');
  for (const label of d.split('.')) {
    if (!label) throw bad('empty label (two dots in a row, or a leading dot)');
    if (Buffer.byteLength(label) > 63) throw bad(`label "${label}" is longer than 63 bytes`);
    if (label.startsWith('-') || label.endsWith('-')) throw bad(`label "${label}" starts or ends with "-"`);
    // letters, digits, hyphen; non-ASCII letters allowed for internationalised names
    if (!/^[\p{L}\p{N}-]+$/u.test(label)) throw bad(`label "${label}" may contain only letters, digits and "-"`);
  }
  return d;
}

/** RFC 5322 atext (§3.2.3), plus non-ASCII for SMTPUTF8 (RFC 6531). */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\u{10FFFF}]+$/u;

/** Lower-cased "local@domain", or InputError naming what is wrong. */
export function parseAddress(input: string, what = 'address'): string {
  const s = input.trim();
  const at = s.lastIndexOf('@');
  if (at < 0) throw new InputError(`invalid ${what} "${input}": expected local@domain`);
  const local = s.slice(0, at);
  const domain = parseDomain(s.slice(at + 1), `${what} "${input}": domain`);
  const bad = (why: string) => new InputError(`invalid ${what} "${input}": ${why}`);
  if (!local) throw bad('the part before "@" is empty');
  if (Buffer.byteLength(local) > 64) throw bad('the part before "@" is longer than 64 bytes');
  if (local.split('.').some((atom) => !atom)) throw bad('dots must separate words (no leading, trailing or double dot)');
  if (!local.split('.').every((atom) => ATEXT.test(atom)))
    throw bad('the part before "@" contains a character not allowed in addresses (spaces, quotes, "@", "<>", ...)');
  return `${local}@${domain}`.toLowerCase();
}

/** An alias source: "local@domain", or "@domain" for a catch-all. */
export function parseAliasSource(input: string): string {
  const s = input.trim();
  if (s.startsWith('@')) return '@' + parseDomain(s.slice(1), `catch-all "${input}": domain`);
  return parseAddress(s, 'alias address');
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** "500M", "2G", "1.5G", "1024K", "123456" (bytes), "0"/"unlimited" (no limit) → bytes. Units are binary (1M = 1024²). */
export function parseSize(input: string): number {
  const s = input.trim();
  if (/^(unlimited|none)$/i.test(s)) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(s);
  if (!m) throw new InputError(`invalid size "${input}": use a number with an optional unit, e.g. 500M, 2G, or 0 for unlimited`);
  const bytes = Math.round(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
  if (!Number.isSafeInteger(bytes)) throw new InputError(`invalid size "${input}": too large`);
  return bytes;
}

/** 2147483648 → "2 GiB"; 0 → "unlimited" when `zeroIs` is given. */
export function formatSize(bytes: number, zeroIs?: string): string {
  if (bytes === 0 && zeroIs) return zeroIs;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const n = i === 0 || Number.isInteger(v) ? String(v) : v.toFixed(1).replace(/\.0$/, '');
  return `${n} ${units[i]}`;
}
