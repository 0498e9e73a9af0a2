/**
 * URLAUTH (RFC 4467) and URLAUTH=BINARY (RFC 5524): RESETKEY, GENURLAUTH, URLFETCH.
 *
 * - A URL is authorized by a token: HMAC-SHA256 over the "rump" URL (up to and including
 *   ";URLAUTH=<access>") with a 256-bit key per mailbox of the owner, kept in the store's
 *   keyed state (namespace "imap.urlauth"). RESETKEY replaces the keys, which revokes every
 *   URL issued before. Only the INTERNAL mechanism exists.
 * - GENURLAUTH signs URLs of the caller's own mailboxes (absolute URL naming the caller).
 * - URLFETCH returns the part a valid URL names, from the owner's account: this is the one
 *   path by which a user can read another account's data, by design — the owner handed out
 *   the URL. Access "anonymous" and "authuser" allow any logged-in user, "user+name" that
 *   user, "submit+name" that user too (submission runs in this process and asks as the user).
 *   Anything invalid, expired or not allowed answers NIL (RFC 4467 §7), and is logged.
 * - URLFETCH ("url" BODYPARTSTRUCTURE BINARY BODY) (RFC 5524) returns the part's structure,
 *   its decoded bytes (literal8) and/or its bytes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { binaryBytes, resolvePart } from '../../mime/section.js';
import { AUTHED, bad, no, type ImapCommand, type ImapSession } from '../session/types.js';
import { ArgCursor } from '../wire/args/cursor.js';
import { parseImapUrl, type ImapUrl } from '../wire/args/imapurl.js';
import { decodeMailboxName } from '../wire/args/mailbox.js';
import { encodeBodyStructure } from '../wire/bodystructure.js';
import { atom, literal, respCode, type WireValue } from '../wire/encode.js';
import type { Token } from '../wire/tokens.js';
import { messagePart } from './catenate.js';

const NS = 'imap.urlauth';
/** at most this many URLs per GENURLAUTH / URLFETCH */
const MAX_URLS = 100;

const sign = (key: string, rump: string): string => createHmac('sha256', Buffer.from(key, 'hex')).update(rump).digest('hex');

async function mailboxKey(s: ImapSession, accountId: number, mailboxId: number, create: boolean): Promise<string | null> {
  const k = String(mailboxId);
  const have = (await s.ctx.store.kvGet(NS, accountId, [k])).get(k);
  if (have || !create) return have?.value ?? null;
  const key = randomBytes(32).toString('hex');
  await s.ctx.store.kvSet(NS, accountId, [{ key: k, value: key }]);
  return key;
}

function parseUrl(text: string): ImapUrl | null {
  try {
    return parseImapUrl(text);
  } catch {
    return null;
  }
}

/** RESETKEY [mailbox *(SP mechanism)] (RFC 4467 §4.1) */
export const resetKeyCmd: ImapCommand = {
  name: 'RESETKEY',
  states: AUTHED,
  async run(s, req) {
    const c = new ArgCursor(req.args, 'RESETKEY');
    if (c.done) {
      const all = await s.ctx.store.kvList(NS, s.accountId);
      await s.ctx.store.kvDelete(NS, s.accountId, all.map((e) => e.key));
      s.log.info({ keys: all.length }, 'imap RESETKEY: every URLAUTH key replaced');
      return;
    }
    const name = decodeMailboxName(c.astring('mailbox'), s.names);
    while (!c.done) if (c.atom('mechanism').toUpperCase() !== 'INTERNAL') throw no('Only the INTERNAL mechanism is supported');
    const box = await s.ctx.store.getMailbox(s.accountId, name);
    if (!box) throw no(`Mailbox "${name}" does not exist`, 'NONEXISTENT');
    await s.ctx.store.kvDelete(NS, s.accountId, [String(box.id)]);
    s.log.info({ mailbox: name }, 'imap RESETKEY');
  },
};

/** GENURLAUTH 1*(SP url-rump SP mechanism) (RFC 4467 §4.2) */
export const genUrlAuthCmd: ImapCommand = {
  name: 'GENURLAUTH',
  states: AUTHED,
  async run(s, req) {
    const c = new ArgCursor(req.args, 'GENURLAUTH');
    const out: string[] = [];
    do {
      if (out.length >= MAX_URLS) throw bad(`At most ${MAX_URLS} URLs`);
      const text = c.astring('URL');
      const mech = c.atom('mechanism').toUpperCase();
      const u = parseUrl(text);
      const fail = (why: string) => no(`${why}: ${text.slice(0, 200)}`, respCode('BADURL', text));
      if (!u || !u.urlauth || u.urlauth.token !== null || !u.rump) throw fail('Not a URLAUTH rump URL (…;URLAUTH=access)');
      if (mech !== 'INTERNAL') throw fail('Only the INTERNAL mechanism is supported');
      if (u.user === null || u.user.toLowerCase() !== s.account!.address) throw fail('The URL must name you as its user');
      if (!/^(anonymous|authuser|user\+.+|submit\+.+)$/.test(u.urlauth.access)) throw fail('Unknown access identifier');
      let name: string;
      try {
        name = decodeMailboxName(u.mailbox, { utf8: true });
      } catch {
        throw fail('Bad mailbox name');
      }
      const box = await s.ctx.store.getMailbox(s.accountId, name);
      if (!box) throw fail('No such mailbox');
      const key = (await mailboxKey(s, s.accountId, box.id, true))!;
      out.push(`${u.rump}:INTERNAL:${sign(key, u.rump)}`);
    } while (!c.done);
    s.untagged(atom('GENURLAUTH'), ...out);
  },
};

/** the bytes (and part) a URLAUTH URL grants, or null (NIL) */
async function authorized(s: ImapSession, text: string): Promise<Awaited<ReturnType<typeof messagePart>> | null> {
  const u = parseUrl(text);
  const deny = (why: string) => {
    s.log.info({ reason: why }, 'imap URLFETCH refused');
    return null;
  };
  if (!u || !u.urlauth?.token || !u.rump || u.user === null) return deny('not a URLAUTH URL');
  if (u.urlauth.mechanism !== 'INTERNAL') return deny('unknown mechanism');
  if (u.expire && u.expire.getTime() <= Date.now()) return deny('expired');
  const me = s.account!.address;
  const access = u.urlauth.access;
  const named = access.includes('+') ? access.slice(access.indexOf('+') + 1) : null;
  if (!(access === 'anonymous' || access === 'authuser' || named === me)) return deny('access not granted to this user');
  const owner = await s.ctx.store.getAccount(u.user);
  if (!owner) return deny('unknown owner');
  let name: string;
  try {
    name = decodeMailboxName(u.mailbox, { utf8: true });
  } catch {
    return deny('bad mailbox');
  }
  const box = await s.ctx.store.getMailbox(owner.id, name);
  if (!box) return deny('no such mailbox');
  const key = await mailboxKey(s, owner.id, box.id, false);
  if (!key) return deny('no key (reset)');
  const want = Buffer.from(sign(key, u.rump), 'hex');
  const got = Buffer.from(u.urlauth.token, 'hex');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return deny('bad token');
  try {
    return await messagePart(s, owner.id, u, (why) => new Error(why));
  } catch (e) {
    return deny((e as Error).message);
  }
}

/** URLFETCH 1*(SP (url / "(" url *(SP fetch-param) ")")) (RFC 4467 §4.3, RFC 5524 §3) */
export const urlFetchCmd: ImapCommand = {
  name: 'URLFETCH',
  states: AUTHED,
  async run(s, req) {
    if (!req.args.length) throw bad('URLFETCH needs at least one URL');
    if (req.args.length > MAX_URLS) throw bad(`At most ${MAX_URLS} URLs`);
    const w = s.writer();
    for (const t of req.args) {
      const extended = t.type === 'list';
      const items: Token[] = extended ? t.items : [t];
      const c = new ArgCursor(items, 'URLFETCH');
      const url = c.astring('URL');
      const params = new Set<string>();
      while (!c.done) {
        const p = c.atom('URLFETCH parameter').toUpperCase();
        if (p !== 'BODYPARTSTRUCTURE' && p !== 'BINARY' && p !== 'BODY') throw bad(`Unknown URLFETCH parameter ${p.slice(0, 30)}`);
        params.add(p);
      }
      const part = await authorized(s, url);
      const resp: WireValue[] = [atom('URLFETCH'), url];
      if (!extended) resp.push(part ? literal(part.bytes.includes(0) ? Buffer.from(part.bytes.map((b) => b || 0x80)) : part.bytes) : null);
      else if (!part) resp.push(null);
      else {
        if (params.has('BODYPARTSTRUCTURE')) {
          const p = resolvePart(part.index, part.path);
          resp.push([atom('BODYPARTSTRUCTURE'), p ? encodeBodyStructure(p, true, { utf8: s.utf8 }) : null]);
        }
        if (params.has('BINARY')) {
          const b = binaryBytes(part.raw, part.index, part.path);
          resp.push([atom('BINARY'), 'error' in b ? null : literal(b.bytes, b.bytes.includes(0))]);
        }
        if (params.has('BODY')) resp.push([atom('BODY'), literal(part.bytes)]);
      }
      w.untagged(resp);
    }
    s.send(w);
  },
};
