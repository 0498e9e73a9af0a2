/**
 * CATENATE (RFC 4469): the parts of an APPEND joined into one message — TEXT literals and
 * URLs (RFC 5092) of messages or parts in the user's own mailboxes. A URL naming another
 * user or server, a mailbox that does not exist, a wrong UIDVALIDITY or a missing message or
 * section is NO [BADURL "url"] (§5), and nothing is appended.
 */
import { sectionBytes } from '../../mime/section.js';
import { toUidSet } from '../session/selected.js';
import { no, type ImapSession } from '../session/types.js';
import type { CatenatePart } from '../wire/args/append.js';
import { parseSectionSpec, toMimeSection } from '../wire/args/fetch.js';
import { parseImapUrl, type ImapUrl } from '../wire/args/imapurl.js';
import { decodeMailboxName } from '../wire/args/mailbox.js';
import { respCode } from '../wire/encode.js';
import type { MessageWithIndex } from '../../store/types.js';
import { tokenizeText } from '../wire/lexer.js';

function badUrl(url: string, why: string): Error {
  return no(`${why}: ${url.slice(0, 200)}`, respCode('BADURL', url));
}

async function urlBytes(s: ImapSession, url: string): Promise<Buffer> {
  let u: ImapUrl;
  try {
    u = parseImapUrl(url);
  } catch (e) {
    throw badUrl(url, (e as Error).message);
  }
  // only this account's own mail: no user, or this user (RFC 4469 §5: other servers need URLAUTH)
  if (u.user !== null && u.user.toLowerCase() !== s.account!.address) throw badUrl(url, 'The URL names another user');
  if (u.urlauth) throw badUrl(url, 'A URLAUTH URL is fetched with URLFETCH');
  return (await messagePart(s, s.accountId, u, (why) => badUrl(url, why))).bytes;
}

export interface UrlPart {
  /** the section's bytes (the whole message without a section), PARTIAL applied */
  bytes: Buffer;
  raw: Buffer;
  index: MessageWithIndex['index'];
  /** part numbers of the section (for BINARY / BODYPARTSTRUCTURE), [] for the whole message */
  path: number[];
}

/** the message part a URL names in `accountId`'s mailboxes; `fail(why)` makes the error to throw */
export async function messagePart(s: ImapSession, accountId: number, u: ImapUrl, fail: (why: string) => Error): Promise<UrlPart> {
  let name: string;
  try {
    name = decodeMailboxName(u.mailbox, { utf8: true });
  } catch {
    throw fail('Bad mailbox name in the URL');
  }
  const box = await s.ctx.store.getMailbox(accountId, name);
  if (!box) throw fail('No such mailbox');
  if (u.uidValidity !== null && u.uidValidity !== box.uidValidity) throw fail('UIDVALIDITY changed');
  const [m] = await s.ctx.store.getMessagesWithIndex(accountId, box.id, toUidSet([u.uid]));
  if (!m) throw fail('No such message');
  const raw = await s.ctx.store.getRaw(accountId, box.id, u.uid);
  let bytes: Buffer | null = raw;
  let path: number[] = [];
  if (u.section) {
    try {
      const spec = parseSectionSpec(tokenizeText(u.section));
      path = spec.part;
      bytes = sectionBytes(raw, m.index, toMimeSection(spec));
    } catch {
      throw fail('Bad section in the URL');
    }
    if (!bytes) throw fail('No such section');
  }
  if (u.partial) {
    const end = u.partial.length === null ? bytes.length : u.partial.offset + u.partial.length;
    bytes = bytes.subarray(Math.min(u.partial.offset, bytes.length), Math.min(end, bytes.length));
  }
  return { bytes, raw, index: m.index, path };
}

/** the joined message; `limit` bounds the result (NO [TOOBIG]) */
export async function catenate(s: ImapSession, parts: CatenatePart[], limit: number): Promise<{ data: Buffer; binary: boolean }> {
  const out: Buffer[] = [];
  let size = 0;
  let binary = false;
  for (const p of parts) {
    const b = 'url' in p ? await urlBytes(s, p.url) : p.text;
    if ('text' in p && p.binary) binary = true;
    size += b.length;
    if (size > limit) throw no(`The joined message exceeds the limit of ${limit} bytes`, 'TOOBIG');
    out.push(b);
  }
  return { data: Buffer.concat(out, size), binary: binary || out.some((b) => b.includes(0)) };
}
