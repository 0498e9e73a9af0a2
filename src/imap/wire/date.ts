/**
 * Dates on the wire (RFC 9051 §9):
 *   date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
 *   date      = date-text / DQUOTE date-text DQUOTE ; date-text = date-day "-" date-month "-" date-year
 */
import { WireError } from './errors.js';

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function monthIndex(m: string): number {
  const i = MONTHS.findIndex((x) => x.toLowerCase() === m.toLowerCase());
  if (i < 0) throw new WireError(`Bad month "${m}"`);
  return i;
}

function checkDay(y: number, mo: number, d: number): void {
  const days = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  if (d < 1 || d > days) throw new WireError(`Bad day of month ${d}`);
}

/** INTERNALDATE "dd-Mon-yyyy hh:mm:ss +zzzz" (date-day-fixed may be " d") → Date. Throws WireError. */
export function parseDateTime(s: string): Date {
  const m = /^( \d|\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s);
  if (!m) throw new WireError('Bad date-time: expected "dd-Mon-yyyy hh:mm:ss +zzzz"');
  const d = Number(m[1]!.trim());
  const mo = monthIndex(m[2]!);
  const y = Number(m[3]);
  checkDay(y, mo, d);
  const hh = Number(m[4]);
  const mi = Number(m[5]);
  const ss = Number(m[6]);
  if (hh > 23 || mi > 59 || ss > 60) throw new WireError('Bad time in date-time');
  const zh = Number(m[8]);
  const zm = Number(m[9]);
  if (zm > 59) throw new WireError('Bad zone in date-time');
  const offset = (m[7] === '-' ? -1 : 1) * (zh * 60 + zm);
  return new Date(Date.UTC(y, mo, d, hh, mi, Math.min(ss, 59)) - offset * 60_000);
}

/** SEARCH date "d-Mon-yyyy" → "YYYY-MM-DD" (the store's SearchQuery date form). Throws WireError. */
export function parseSearchDate(s: string): string {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(s);
  if (!m) throw new WireError('Bad date: expected d-Mon-yyyy');
  const d = Number(m[1]);
  const mo = monthIndex(m[2]!);
  const y = Number(m[3]);
  checkDay(y, mo, d);
  return `${m[3]}-${String(mo + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/**
 * INTERNALDATE value "dd-Mon-yyyy hh:mm:ss +zzzz" (RFC 9051 §9 date-time, without quotes).
 * offsetMinutes: zone to show (default 0 = +0000).
 */
export function formatDateTime(date: Date, offsetMinutes = 0): string {
  const t = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const a = Math.abs(offsetMinutes);
  return (
    `${p2(t.getUTCDate())}-${MONTHS[t.getUTCMonth()]}-${t.getUTCFullYear()} ` +
    `${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())} ${sign}${p2(Math.floor(a / 60))}${p2(a % 60)}`
  );
}
