/**
 * Trace and delivery header fields added by this server (RFC 5321 §4.4, RFC 5322 §3.6.7),
 * and small read-only helpers over a raw message's header block. Raw bytes are never
 * rewritten: new fields are only prepended.
 */
import addressparser from 'nodemailer/lib/addressparser';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** RFC 5322 §3.3 date-time in UTC, e.g. "Thu, 26 Nov 2026 03:40:22 +0000" */
export function rfc5322Date(d: Date): string {
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`
  );
}

export interface ReceivedInfo {
  helo: string;
  clientHostname: string | null;
  ip: string;
  hostname: string;
  /** RFC 3848 / RFC 6531 §3.7.3 WITH protocol: ESMTP, ESMTPS, ESMTPA, ESMTPSA, UTF8SMTPS... */
  protocol: string;
  /** "TLSv1.3:TLS_AES_256_GCM_SHA384" or null */
  tls: string | null;
  id: string;
  /** added as "for <addr>" when the message has exactly one recipient */
  forAddress?: string;
  date: Date;
}

/** RFC 5321 §4.4 Received: time stamp line, folded, ending in CRLF */
export function receivedHeader(r: ReceivedInfo): string {
  const from = `from ${sanitize(r.helo) || 'unknown'} (${r.clientHostname ? sanitize(r.clientHostname) + ' ' : ''}[${r.ip}])`;
  const by = `by ${r.hostname} (letterbox) with ${r.protocol}${r.tls ? ` (${r.tls})` : ''}`;
  const id = `id ${r.id}${r.forAddress ? ` for <${sanitize(r.forAddress)}>` : ''}`;
  return `Received: ${from}\r\n\t${by}\r\n\t${id};\r\n\t${rfc5322Date(r.date)}\r\n`;
}

/** WITH protocol keyword (RFC 3848, RFC 6531 §3.7.3) */
export function withProtocol(opts: { utf8: boolean; tls: boolean; auth: boolean }): string {
  return (opts.utf8 ? 'UTF8SMTP' : 'ESMTP') + (opts.tls ? 'S' : '') + (opts.auth ? 'A' : '');
}

export function returnPathHeader(sender: string): string {
  return `Return-Path: <${sanitize(sender)}>\r\n`;
}

export function deliveredToHeader(address: string): string {
  return `Delivered-To: ${sanitize(address)}\r\n`;
}

/** strips CR/LF and control characters from values that came from the network */
function sanitize(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, '');
}

/** byte length of the header block including the empty line (or the whole message when none) */
export function headerEnd(raw: Buffer): number {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return i + 2;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 3;
  }
  return raw.length;
}

/** unfolded values of every header field named `name` (case-insensitive), in order */
export function headerValues(raw: Buffer, name: string): string[] {
  const text = raw.subarray(0, headerEnd(raw)).toString('utf8');
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  const want = name.toLowerCase();
  let current: string | null = null;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && current !== null) {
      current += ' ' + line.trim();
      continue;
    }
    if (current !== null) out.push(current);
    current = null;
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === want) current = line.slice(colon + 1).trim();
  }
  if (current !== null) out.push(current);
  return out;
}

/** the addresses in address-list header fields (groups flattened), lower-cased */
export function headerAddresses(raw: Buffer, name: string): string[] {
  const out: string[] = [];
  type Parsed = { address?: string; group?: Parsed[] };
  const walk = (list: Parsed[]) => {
    for (const a of list) {
      if (a.group) walk(a.group);
      else if (a.address) out.push(a.address.toLowerCase());
    }
  };
  for (const v of headerValues(raw, name)) walk(addressparser(v) as Parsed[]);
  return out;
}

/** the header block as text (for DSNs' text/rfc822-headers part) */
export function headerText(raw: Buffer): string {
  return raw.subarray(0, headerEnd(raw)).toString('utf8');
}

/**
 * RFC 8601 §5: an MTA must delete Authentication-Results fields that claim its own
 * authserv-id before adding its own, or senders could forge verdicts. Only those fields
 * are removed; every other byte is kept.
 */
export function stripOwnAuthResults(raw: Buffer, authservId: string): Buffer {
  const end = headerEnd(raw);
  const header = raw.subarray(0, end).toString('latin1');
  const want = authservId.toLowerCase();
  const fields = header.match(/[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*/g) ?? [];
  let removed = false;
  const kept = fields.filter((f) => {
    const m = /^authentication-results[ \t]*:[ \t\r\n]*([^;\s]+)/i.exec(f);
    if (m && m[1]!.toLowerCase() === want) {
      removed = true;
      return false;
    }
    return true;
  });
  if (!removed) return raw;
  return Buffer.concat([Buffer.from(kept.join(''), 'latin1'), raw.subarray(end)]);
}
