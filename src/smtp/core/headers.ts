/**
 * Trace and delivery header fields added by this server (RFC 5321 §4.4, RFC 5322 §3.6.7),
 * and small read-only helpers over a raw message's header block. Raw bytes are never
 * rewritten: new fields are only prepended.
 */
import { parseHeaderBlock } from '../../mime/header.js';
import { parseAddressList } from '../../mime/address.js';

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

/** unfolded values of every header field named `name` (case-insensitive), in order (the one header parser: mime/header.ts) */
export function headerValues(raw: Buffer, name: string): string[] {
  const want = name.toLowerCase();
  return parseHeaderBlock(raw, 0, headerEnd(raw), undefined, new Set([want])).map((f) => f.value);
}

/** the addresses in address-list header fields (groups flattened), lower-cased (the one address parser: mime/address.ts) */
export function headerAddresses(raw: Buffer, name: string): string[] {
  const out: string[] = [];
  for (const v of headerValues(raw, name))
    for (const a of parseAddressList(v)) if (a.host !== null && a.mailbox !== null) out.push(`${a.mailbox}@${a.host}`.toLowerCase());
  return out;
}

/**
 * True when the header block has a CR not followed by LF, or an LF not preceded by CR, before
 * the first CRLF CRLF. Receivers disagree on what such a line break means (SMTP sends only
 * CRLF; our outbound client turns bare CR and LF into CRLF), so a field hidden behind one,
 * "X-A: 1\rFrom: ceo@victim.example", is a header nobody checked.
 */
export function bareLineBreakInHeader(raw: Buffer): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === 0x0d) {
      if (raw[i + 1] !== 0x0a) return true;
      if (raw[i + 2] === 0x0d && raw[i + 3] === 0x0a) return false; // end of the header
      i++;
    } else if (c === 0x0a) return true;
  }
  return false;
}

/**
 * The message with every bare CR and bare LF turned into CRLF: exactly the line breaks our
 * outbound client (nodemailer's data stream) sends, so what is checked and DKIM-signed is
 * what goes out. Returns `raw` itself when there is nothing to change.
 */
export function wireLineEndings(raw: Buffer): Buffer {
  let bare = false;
  for (let p = raw.indexOf(0x0a); p >= 0 && !bare; p = raw.indexOf(0x0a, p + 1)) if (p === 0 || raw[p - 1] !== 0x0d) bare = true;
  for (let p = raw.indexOf(0x0d); p >= 0 && !bare; p = raw.indexOf(0x0d, p + 1)) if (raw[p + 1] !== 0x0a) bare = true;
  if (!bare) return raw;
  const out = Buffer.allocUnsafe(raw.length * 2);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0x0d) {
      out[n++] = 0x0d;
      out[n++] = 0x0a;
      if (raw[i + 1] === 0x0a) i++;
    } else if (c === 0x0a) {
      out[n++] = 0x0d;
      out[n++] = 0x0a;
    } else out[n++] = c;
  }
  return Buffer.from(out.subarray(0, n));
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
