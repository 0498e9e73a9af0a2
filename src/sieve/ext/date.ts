/**
 * date and currentdate (RFC 5260 §4, §5) with :zone / :originalzone, and the date parts
 * of §4.2 (year month day date julian hour minute second time iso8601 std11 zone weekday).
 * The default zone is the server's local time zone. A Received field's date is the text
 * after its last ";" (§4.1). A missing or unparseable date makes the test false.
 */
import { parseRfc5322Date } from '../../mime/date.js';
import { matchAny, type Matcher } from '../core/match.js';
import type { Runtime } from '../core/runtime.js';
import { tagValue, type CheckedNode, type CheckContext, type Spec, type TestSpec } from '../core/spec.js';
import { COMPARATOR_TAG, INDEX_TAGS, MATCH_TAGS, compileIndex, compileMatcher, strings, pickIndex } from './common.js';

const PARTS = new Set(['year', 'month', 'day', 'date', 'julian', 'hour', 'minute', 'second', 'time', 'iso8601', 'std11', 'zone', 'weekday']);
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function zoneText(offset: number, colon = false): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

/** "+0130" → 90; null when malformed */
export function parseZone(z: string): number | null {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(z.trim());
  if (!m || Number(m[3]) > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** the date part of `time` seen in the zone `offset` (minutes east of UTC) */
export function datePart(time: number, offset: number, part: string): string {
  const d = new Date(time + offset * 60_000); // read with the UTC getters = wall time in that zone
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const h = d.getUTCHours();
  const mi = d.getUTCMinutes();
  const s = d.getUTCSeconds();
  switch (part) {
    case 'year':
      return pad(y, 4);
    case 'month':
      return pad(mo);
    case 'day':
      return pad(day);
    case 'date':
      return `${pad(y, 4)}-${pad(mo)}-${pad(day)}`;
    case 'julian':
      // Modified Julian Day: days since 1858-11-17 (RFC 5260 §4.2)
      return String(Math.floor(Date.UTC(y, mo - 1, day) / 86_400_000) + 40587);
    case 'hour':
      return pad(h);
    case 'minute':
      return pad(mi);
    case 'second':
      return pad(s);
    case 'time':
      return `${pad(h)}:${pad(mi)}:${pad(s)}`;
    case 'iso8601':
      return `${pad(y, 4)}-${pad(mo)}-${pad(day)}T${pad(h)}:${pad(mi)}:${pad(s)}${zoneText(offset, true)}`;
    case 'std11':
      return `${DAYS[d.getUTCDay()]}, ${pad(day)} ${MONTHS[mo - 1]} ${pad(y, 4)} ${pad(h)}:${pad(mi)}:${pad(s)} ${zoneText(offset)}`;
    case 'zone':
      return zoneText(offset);
    case 'weekday':
      return String(d.getUTCDay());
    default:
      return '';
  }
}

const ZONE_TAGS = { zone: { value: 'string' as const, group: 'zone' } };

function checkCommon(node: CheckedNode, ctx: CheckContext, partArg: number): void {
  compileMatcher(node, ctx);
  const z = tagValue(node, 'zone');
  if (z && z.kind === 'string' && !z.text.includes('${') && parseZone(z.text) === null) ctx.error(`":zone" needs an offset like "+0100", not "${z.text}"`, z.pos);
  const p = node.positional[partArg];
  if (p && p.kind === 'string' && !p.text.includes('${') && !PARTS.has(p.text.toLowerCase())) ctx.error(`unknown date part "${p.text}"`, p.pos);
}

function zoneFor(node: CheckedNode, rt: Runtime, original: number | null): number {
  const z = tagValue(node, 'zone');
  if (z && z.kind === 'string') {
    const off = parseZone(rt.expand(z.value));
    if (off !== null) return off;
  }
  if (original !== null && node.tags.has('originalzone')) return original;
  return -new Date(rt.env.now()).getTimezoneOffset();
}

const date: TestSpec = {
  kind: 'test',
  name: 'date',
  requires: 'date',
  tags: { ...ZONE_TAGS, originalzone: { group: 'zone' }, ...COMPARATOR_TAG, ...MATCH_TAGS, ...INDEX_TAGS },
  positional: ['string', 'string', 'list'],
  check(node, ctx) {
    checkCommon(node, ctx, 1);
    compileIndex(node, ctx);
  },
  run(node, rt) {
    const [h, p] = node.positional;
    const field = h && h.kind === 'string' ? rt.expand(h.value) : '';
    const part = p && p.kind === 'string' ? rt.expand(p.value).toLowerCase() : '';
    if (!PARTS.has(part)) return false;
    const values: string[] = [];
    for (let v of pickIndex(node, rt.view.values(field))) {
      if (field.toLowerCase() === 'received' && v.includes(';')) v = v.slice(v.lastIndexOf(';') + 1);
      const d = parseRfc5322Date(v);
      if (d) values.push(datePart(d.time, zoneFor(node, rt, d.offset), part));
    }
    if (!values.length) return false;
    return matchAny(node.data.matcher as Matcher, values, strings(node, 2, rt), rt);
  },
};

const currentdate: TestSpec = {
  kind: 'test',
  name: 'currentdate',
  requires: 'date',
  tags: { ...ZONE_TAGS, ...COMPARATOR_TAG, ...MATCH_TAGS },
  positional: ['string', 'list'],
  check(node, ctx) {
    checkCommon(node, ctx, 0);
  },
  run(node, rt) {
    const p = node.positional[0]!;
    const part = p.kind === 'string' ? rt.expand(p.value).toLowerCase() : '';
    if (!PARTS.has(part)) return false;
    const value = datePart(rt.env.now().getTime(), zoneFor(node, rt, null), part);
    return matchAny(node.data.matcher as Matcher, [value], strings(node, 1, rt), rt);
  },
};

export const DATE: Spec[] = [date, currentdate];
