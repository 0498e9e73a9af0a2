/**
 * IMAP URLs naming a message part (RFC 5092), as CATENATE (RFC 4469 §3) takes them:
 *   "/" enc-mailbox [";UIDVALIDITY=" nz-number] "/;UID=" nz-number ["/;SECTION=" enc-section] ["/;PARTIAL=" n ["." n]]
 *   or the same after "imap://" [enc-user [";AUTH=" ...] "@"] host [":" port]
 * Mailbox and section are %-escaped (RFC 5092 §6); the mailbox is UTF-8. Only the server
 * part is parsed here; the command decides whether it names this server and account.
 */
import { bad } from '../errors.js';

export interface ImapUrl {
  /** user and host of an absolute URL, null for a relative one */
  user: string | null;
  host: string | null;
  mailbox: string;
  uidValidity: number | null;
  uid: number;
  /** section-spec text, e.g. "1.2.MIME", or null for the whole message */
  section: string | null;
  partial: { offset: number; length: number | null } | null;
  /** RFC 4467 ;EXPIRE= (RFC 3339 date-time), or null */
  expire: Date | null;
  /** RFC 4467 ;URLAUTH=access[:mechanism:token], or null */
  urlauth: { access: string; mechanism: string | null; token: string | null } | null;
  /** the URL up to and including ";URLAUTH=access" (what a token signs), or null */
  rump: string | null;
}

function unescape(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    bad(`Bad %-escape in the URL ${what}`);
  }
}

const num = (s: string, what: string): number => {
  if (!/^[1-9]\d{0,9}$/.test(s) || Number(s) > 0xffffffff) bad(`Bad ${what} in the URL`);
  return Number(s);
};

function expireDate(s: string): Date {
  const t = Date.parse(decodeURIComponent(s));
  if (Number.isNaN(t)) bad('Bad EXPIRE date-time in the URL');
  return new Date(t);
}

export function parseImapUrl(url: string): ImapUrl {
  if (url.length > 8192) bad('URL too long');
  let rest = url;
  let user: string | null = null;
  let host: string | null = null;
  const abs = /^imap:\/\/(?:([^@/]*)@)?([^/]+)(\/.*)$/i.exec(url);
  if (abs) {
    user = abs[1] !== undefined ? unescape(abs[1].split(';')[0]!, 'user') : null;
    host = abs[2]!.toLowerCase();
    rest = abs[3]!;
  }
  const m =
    /^\/([^;/][^;]*?)(?:;UIDVALIDITY=(\d+))?\/;UID=(\d+)(?:\/;SECTION=([^/;]+))?(?:\/;PARTIAL=(\d+)(?:\.(\d+))?)?(?:;EXPIRE=([^;]+))?(?:(;URLAUTH=([^:;]+))(?::([^:;]+):([0-9A-Fa-f]+))?)?$/i.exec(rest);
  if (!m) bad('Not an IMAP URL of a message (RFC 5092: /mailbox;UIDVALIDITY=n/;UID=n[/;SECTION=s])');
  return {
    user,
    host,
    mailbox: unescape(m[1]!, 'mailbox'),
    uidValidity: m[2] ? num(m[2], 'UIDVALIDITY') : null,
    uid: num(m[3]!, 'UID'),
    section: m[4] ? unescape(m[4], 'section').toUpperCase() : null,
    partial: m[5] !== undefined ? { offset: Number(m[5]), length: m[6] !== undefined ? Number(m[6]) : null } : null,
    expire: m[7] !== undefined ? expireDate(m[7]) : null,
    urlauth: m[8] ? { access: unescape(m[9]!, 'access').toLowerCase(), mechanism: m[10] ? m[10].toUpperCase() : null, token: m[11] ?? null } : null,
    rump: m[8] ? url.slice(0, url.length - rest.length + m.index + m[0].length - (m[10] ? m[10].length + m[11]!.length + 2 : 0)) : null,
  };
}
