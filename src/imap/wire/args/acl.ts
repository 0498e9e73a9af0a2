/**
 * ACL command arguments (RFC 4314 §7 grammar):
 *   setacl     = "SETACL" SP mailbox SP identifier SP mod-rights
 *   deleteacl  = "DELETEACL" SP mailbox SP identifier
 *   getacl     = "GETACL" SP mailbox
 *   listrights = "LISTRIGHTS" SP mailbox SP identifier
 *   myrights   = "MYRIGHTS" SP mailbox
 *   identifier = astring ; mod-rights = astring
 * An empty identifier is BAD (RFC 4314 §3); identifiers and rights are at most 255 bytes.
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';
import { ArgCursor } from './cursor.js';
import { parseMailboxToken, type NameOptions } from './mailbox.js';

export interface AclArgs {
  mailbox: string;
  identifier: string;
  rights: string;
}

const MAX = 255;

/** `mailbox [SP identifier [SP rights]]`, as many parts as the command takes (1, 2 or 3) */
export function parseAclArgs(args: readonly Token[], opts: NameOptions, command: string, parts: 1 | 2 | 3): AclArgs {
  const c = new ArgCursor(args, command);
  const mailbox = parseMailboxToken(c.next('mailbox name'), opts);
  let identifier = '';
  let rights = '';
  if (parts >= 2) {
    identifier = c.astring('identifier');
    if (!identifier) bad('Empty identifier');
    if (Buffer.byteLength(identifier) > MAX) bad('Identifier too long');
  }
  if (parts === 3) {
    rights = c.astring('rights');
    if (rights.length > MAX) bad('Rights string too long');
  }
  c.end();
  return { mailbox, identifier, rights };
}
