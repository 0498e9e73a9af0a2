/**
 * The rights of an access control list (RFC 4314 §2), pure: parsing the rights strings
 * clients and the CLI send, rendering them back, and the obsolete virtual rights of
 * RFC 2086 (§2.1.1).
 *
 * A set of rights is kept as a string of standard right letters in canonical order
 * ("lrswipkxtea"), each at most once. This server defines "create" as k+x and "delete"
 * as e+t (the first reading of §2.1.1, the one its own examples use): "c" given by a
 * client adds k and x, "d" adds e and t, and any set holding one of those members is
 * reported with "c" or "d" added (MYRIGHTS, ACL and LISTRIGHTS responses).
 */

/** RFC 4314 §2.1, in the order this server reports them */
export const STANDARD_RIGHTS = 'lrswipkxtea';
/** what the owner of a mailbox always has */
export const ALL_RIGHTS = STANDARD_RIGHTS;
/** RFC 4314 §5.1.1: the rights beyond RFC 2086, advertised as RIGHTS=texk */
export const RIGHTS_CAPABILITY = 'RIGHTS=texk';

export type Right = 'l' | 'r' | 's' | 'w' | 'i' | 'p' | 'k' | 'x' | 't' | 'e' | 'a';

/** RFC 4314 §2.1.1: the members of the virtual rights */
const CREATE_MEMBERS = 'kx';
const DELETE_MEMBERS = 'et';

export class RightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RightsError';
  }
}

/** the canonical form of a set of standard rights given in any order, with repetitions */
export function canonical(rights: string): string {
  let out = '';
  for (const r of STANDARD_RIGHTS) if (rights.includes(r)) out += r;
  return out;
}

/**
 * Rights letters as a client sends them (without a +/- prefix), "c" and "d" expanded.
 * An unknown or upper-case letter is an error (RFC 4314 §3.1: never silently ignored).
 */
export function parseRights(text: string): string {
  let out = '';
  for (const ch of text) {
    if (STANDARD_RIGHTS.includes(ch)) out += ch;
    else if (ch === 'c') out += CREATE_MEMBERS;
    else if (ch === 'd') out += DELETE_MEMBERS;
    else if (ch >= 'A' && ch <= 'Z') throw new RightsError('Uppercase rights are not allowed');
    else if (ch >= '0' && ch <= '9') throw new RightsError(`The ${ch} right is not supported`);
    else throw new RightsError(`The ${ch} right is not supported`);
  }
  return canonical(out);
}

export interface RightsChange {
  mode: 'replace' | 'add' | 'remove';
  rights: string;
}

/** SETACL's third argument (RFC 4314 §3.1): an optional "+" or "-", then rights */
export function parseRightsChange(text: string): RightsChange {
  const first = text[0];
  if (first === '+') return { mode: 'add', rights: parseRights(text.slice(1)) };
  if (first === '-') return { mode: 'remove', rights: parseRights(text.slice(1)) };
  return { mode: 'replace', rights: parseRights(text) };
}

/** the rights after applying `change` to `current` */
export function applyChange(current: string, change: RightsChange): string {
  if (change.mode === 'replace') return change.rights;
  if (change.mode === 'add') return canonical(current + change.rights);
  let out = '';
  for (const r of current) if (!change.rights.includes(r)) out += r;
  return out;
}

/** a set of rights for MYRIGHTS and ACL responses: "c" and "d" added where a member is present (§2.1.1) */
export function renderRights(rights: string): string {
  const set = canonical(rights);
  let out = set;
  if ([...CREATE_MEMBERS].some((r) => set.includes(r))) out += 'c';
  if ([...DELETE_MEMBERS].some((r) => set.includes(r))) out += 'd';
  return out;
}

/**
 * LISTRIGHTS (RFC 4314 §3.7): the rights always granted and the groups that can be
 * granted. The owner always holds everything; anyone else can be given each right on
 * its own (none is tied to another), and "c" and "d" are listed by themselves.
 */
export function listableRights(isOwner: boolean): { required: string; optional: string[] } {
  if (isOwner) return { required: renderRights(ALL_RIGHTS), optional: [] };
  return { required: '', optional: [...STANDARD_RIGHTS, 'c', 'd'] };
}

export function hasRight(rights: string, r: Right): boolean {
  return rights.includes(r);
}

/** RFC 4314 §4: MYRIGHTS needs any of these */
export function anyVisibleRight(rights: string): boolean {
  return [...'lrikxa'].some((r) => rights.includes(r));
}

/**
 * RFC 4314 §5.2: SELECT answers READ-ONLY when none of "i", "e" and the shared flag rights
 * (all flags are shared here: s, w, t) is granted.
 */
export function canWriteMailbox(rights: string): boolean {
  return [...'iestw'].some((r) => rights.includes(r));
}

/** RFC 4314 §4: the right needed to set or clear a flag (\Seen: s, \Deleted: t, any other: w) */
export function rightForFlag(flag: string): Right {
  const f = flag.toLowerCase();
  if (f === '\\seen') return 's';
  if (f === '\\deleted') return 't';
  return 'w';
}

/** the flags of `flags` these rights allow to be set or cleared */
export function permittedFlags(rights: string, flags: readonly string[]): string[] {
  return flags.filter((f) => rights.includes(rightForFlag(f)));
}
