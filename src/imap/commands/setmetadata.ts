/**
 * SETMETADATA (RFC 5464 §4.3): sets entries of one of the account's mailboxes, or of the
 * server for the mailbox ""; NIL removes an entry. All or nothing; permission and limits in
 * ./metadata-entries.ts (NO [METADATA MAXSIZE n], NO [METADATA TOOMANY], NO [NOPERM] for
 * the server's shared entries unless an administrator). Private entries are kept, so
 * [METADATA NOPRIVATE] never applies.
 */
import { AUTHED, ok, type ImapCommand } from '../session/types.js';
import { parseSetMetadataArgs } from '../wire/args/metadata.js';
import { placeOf, writeEntries } from './metadata-entries.js';

export const setMetadataCmd: ImapCommand = {
  name: 'SETMETADATA',
  states: AUTHED,
  async run(s, req) {
    const args = parseSetMetadataArgs(req.args, s.names);
    const { place } = await placeOf(s, args);
    await writeEntries(s, place, args.entries);
    return ok('SETMETADATA completed');
  },
};
