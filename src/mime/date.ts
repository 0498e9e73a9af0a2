/**
 * RFC 5322 §3.3 date-time parsing with its zone: "[day ","] d mon yyyy hh:mm[:ss] zone",
 * with the obsolete forms of §4.3 (two-digit years, named zones such as GMT, EST, UT, Z).
 * Returns the instant and the zone offset in minutes as written, or null.
 */
const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
const ZONES: Record<string, number> = { ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };

export interface ZonedDate {
  /** milliseconds since the epoch */
  time: number;
  /** the written zone's offset from UTC in minutes (+0200 → 120) */
  offset: number;
}

export function parseRfc5322Date(value: string): ZonedDate | null {
  const m = /(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,5})?/.exec(value);
  if (!m) return null;
  const month = MONTHS[m[2]!.toLowerCase()];
  if (month === undefined) return null;
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  const day = Number(m[1]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] ? Number(m[6]) : 0;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  let offset = 0;
  const z = m[7];
  if (z && /^[+-]\d{4}$/.test(z)) {
    const sign = z[0] === '-' ? -1 : 1;
    const hh = Number(z.slice(1, 3));
    const mm = Number(z.slice(3, 5));
    if (mm > 59) return null;
    offset = sign * (hh * 60 + mm);
  } else if (z) offset = ZONES[z.toLowerCase()] ?? 0; // RFC 5322 §4.3: unknown military zones count as +0000
  const time = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - offset * 60_000;
  return Number.isNaN(time) ? null : { time, offset };
}
