/**
 * Argument parsers for the small commands. Each cites its grammar (RFC 9051 §9 unless noted).
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';
import { ArgCursor } from './cursor.js';
import { parseMailboxToken, type NameOptions } from './mailbox.js';
import { parseFlag } from './flags.js';
import { sequenceSetFromToken, type SequenceSet } from './seqset.js';

/** Commands without arguments (CAPABILITY, NOOP, LOGOUT, STARTTLS, CHECK, CLOSE, UNSELECT, EXPUNGE, IDLE, NAMESPACE). */
export function parseNoArgs(args: readonly Token[], command: string): void {
  if (args.length) bad(`${command} takes no arguments`);
}

/** DELETE / SUBSCRIBE / UNSUBSCRIBE / (plain) EXAMINE: `SP mailbox` (RFC 9051 §6.3.4-§6.3.8). */
export function parseMailboxArg(args: readonly Token[], opts: NameOptions, command = 'command'): string {
  const c = new ArgCursor(args, command);
  const m = parseMailboxToken(c.next('mailbox name'), opts);
  c.end();
  return m;
}

/** login = "LOGIN" SP userid SP password (RFC 9051 §6.2.3); both astrings. */
export function parseLoginArgs(args: readonly Token[]): { username: string; password: string } {
  const c = new ArgCursor(args, 'LOGIN');
  const username = c.astring('user name');
  const password = c.astring('password');
  c.end();
  return { username, password };
}

/**
 * authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp] (RFC 9051 §6.2.2; RFC 4959 SASL-IR)
 * initial-resp = base64 / "=" ("=" is an empty response). initialResponse null = none given.
 */
export function parseAuthenticateArgs(args: readonly Token[]): { mechanism: string; initialResponse: Buffer | null } {
  const c = new ArgCursor(args, 'AUTHENTICATE');
  const mechanism = c.atom('SASL mechanism').toUpperCase();
  if (!/^[A-Z0-9_-]{1,20}$/.test(mechanism)) bad('Bad SASL mechanism name');
  let initialResponse: Buffer | null = null;
  if (!c.done) initialResponse = decodeSaslResponse(c.atom('initial response'));
  c.end();
  return { mechanism, initialResponse };
}

/** A base64 SASL client response line ("=" = empty, RFC 4959 §3); "*" means cancel → null. */
export function decodeSaslResponse(line: string): Buffer | null {
  const s = line.trim();
  if (s === '*') return null;
  if (s === '=') return Buffer.alloc(0);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) bad('Invalid base64 in SASL response');
  return Buffer.from(s, 'base64');
}

/** enable = "ENABLE" 1*(SP capability) (RFC 9051 §6.3.1, RFC 5161). Upper-cased. */
export function parseEnableArgs(args: readonly Token[]): string[] {
  if (args.length === 0) bad('ENABLE needs at least one capability');
  return args.map((t) => {
    if (t.type !== 'atom') bad('Capabilities must be atoms');
    return t.value.toUpperCase();
  });
}

/**
 * id = "ID" SP id-params-list ; id-params-list = "(" *(string SP nstring) ")" / nil (RFC 2971 §4).
 * Limits (RFC 2971 §3.3): ≤ 30 pairs, field ≤ 30 bytes, value ≤ 1024 bytes → BAD.
 */
export function parseIdArgs(args: readonly Token[]): Array<[string, string | null]> | null {
  const c = new ArgCursor(args, 'ID');
  const t = c.next('ID parameter list or NIL');
  c.end();
  if (t.type === 'atom' && t.value.toUpperCase() === 'NIL') return null;
  if (t.type !== 'list') bad('ID needs a parameter list or NIL');
  if (t.items.length % 2) bad('ID parameters come in field/value pairs');
  if (t.items.length > 60) bad('ID allows at most 30 field/value pairs');
  const out: Array<[string, string | null]> = [];
  const p = new ArgCursor(t.items, 'ID');
  while (!p.done) {
    const k = p.string('ID field');
    const vt = p.next('ID value');
    const v = vt.type === 'atom' && vt.value.toUpperCase() === 'NIL' ? null : new ArgCursor([vt]).string('ID value');
    if (Buffer.byteLength(k) > 30) bad('ID field names are limited to 30 bytes');
    if (v !== null && Buffer.byteLength(v) > 1024) bad('ID values are limited to 1024 bytes');
    out.push([k, v]);
  }
  return out;
}

export interface QresyncParams {
  uidValidity: number;
  modseq: number;
  knownUids: SequenceSet | null;
  seqMatch: { seqs: SequenceSet; uids: SequenceSet } | null;
}

export interface SelectArgs {
  mailbox: string;
  condstore: boolean;
  qresync: QresyncParams | null;
}

/**
 * select = "SELECT" SP mailbox [select-params] ; select-params = SP "(" select-param *(SP select-param) ")"
 * (RFC 9051 §6.3.2; RFC 7162 §3.1.8 CONDSTORE, §3.2.5 QRESYNC:
 *  "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")").
 * Used for EXAMINE too.
 */
export function parseSelectArgs(args: readonly Token[], opts: NameOptions): SelectArgs {
  const c = new ArgCursor(args, 'SELECT');
  const mailbox = parseMailboxToken(c.next('mailbox name'), opts);
  let condstore = false;
  let qresync: QresyncParams | null = null;
  if (!c.done) {
    const p = new ArgCursor(c.list('SELECT parameters').items, 'SELECT parameters');
    while (!p.done) {
      const name = p.atom('SELECT parameter').toUpperCase();
      if (name === 'CONDSTORE') condstore = true;
      else if (name === 'QRESYNC') {
        const q = new ArgCursor(p.list('QRESYNC parameters').items, 'QRESYNC');
        const uidValidity = q.nzNumber('UIDVALIDITY');
        const modseq = q.number64('mod-sequence');
        let knownUids: SequenceSet | null = null;
        let seqMatch: QresyncParams['seqMatch'] = null;
        if (!q.done && q.peek()!.type === 'atom') knownUids = sequenceSetFromToken(q.next('known UIDs'));
        if (!q.done) {
          const m = new ArgCursor(q.list('sequence match data').items, 'QRESYNC seq-match-data');
          const seqs = sequenceSetFromToken(m.next('known sequence set'));
          const uids = sequenceSetFromToken(m.next('known UID set'));
          m.end();
          seqMatch = { seqs, uids };
        }
        q.end();
        qresync = { uidValidity, modseq, knownUids, seqMatch };
      } else bad(`Unknown SELECT parameter "${name.slice(0, 40)}"`);
    }
  }
  c.end();
  return { mailbox, condstore, qresync };
}

/**
 * create = "CREATE" SP mailbox [create-params] (RFC 9051 §6.3.4; RFC 4466 §2.2 create-params;
 * RFC 6154 §3 "USE" SP "(" [use-attr *(SP use-attr)] ")").
 */
export function parseCreateArgs(args: readonly Token[], opts: NameOptions): { mailbox: string; specialUse: string[] | null } {
  const c = new ArgCursor(args, 'CREATE');
  const mailbox = parseMailboxToken(c.next('mailbox name'), opts);
  let specialUse: string[] | null = null;
  if (!c.done) {
    const p = new ArgCursor(c.list('CREATE parameters').items, 'CREATE parameters');
    while (!p.done) {
      const name = p.atom('CREATE parameter').toUpperCase();
      if (name !== 'USE') bad(`Unknown CREATE parameter "${name.slice(0, 40)}"`);
      specialUse = p.list('USE attributes').items.map((t) => {
        if (t.type !== 'atom' || !t.value.startsWith('\\')) bad('Bad special-use attribute');
        return parseFlag(t.value);
      });
    }
  }
  c.end();
  return { mailbox, specialUse };
}

/** rename = "RENAME" SP mailbox SP mailbox (RFC 9051 §6.3.6). */
export function parseRenameArgs(args: readonly Token[], opts: NameOptions): { from: string; to: string } {
  const c = new ArgCursor(args, 'RENAME');
  const from = parseMailboxToken(c.next('existing mailbox name'), opts);
  const to = parseMailboxToken(c.next('new mailbox name'), opts);
  c.end();
  return { from, to };
}

/** copy / move = ("COPY" / "MOVE") SP sequence-set SP mailbox (RFC 9051 §6.4.7, §6.4.8; RFC 6851). */
export function parseCopyArgs(args: readonly Token[], opts: NameOptions, command = 'COPY'): { set: SequenceSet; mailbox: string } {
  const c = new ArgCursor(args, command);
  const set = sequenceSetFromToken(c.next('sequence set'));
  const mailbox = parseMailboxToken(c.next('mailbox name'), opts);
  c.end();
  return { set, mailbox };
}

/** uid-expunge = "UID" SP "EXPUNGE" SP sequence-set (RFC 9051 §6.4.9, RFC 4315 §2.1). */
export function parseUidExpungeArgs(args: readonly Token[]): SequenceSet {
  const c = new ArgCursor(args, 'UID EXPUNGE');
  const set = sequenceSetFromToken(c.next('UID set'));
  c.end();
  return set;
}

