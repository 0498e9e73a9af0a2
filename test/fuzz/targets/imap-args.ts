/**
 * The typed IMAP argument parsers (src/imap/wire/args/*): every command line the reader
 * accepts goes to the parser its name selects; each either returns or throws WireError
 * (which the session turns into BAD/NO). Any other exception is a bug. Parsed results
 * are then used as the session uses them (labels, sections, store queries).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandReader } from '../../../src/imap/wire/reader.js';
import { WireError } from '../../../src/imap/wire/errors.js';
import { fetchLabel, formatSection, parseFetchArgs, toMimeSection } from '../../../src/imap/wire/args/fetch.js';
import { parseSearchArgs } from '../../../src/imap/wire/args/search.js';
import { hasRowKey, resolveSearch } from '../../../src/imap/commands/search-keys.js';
import { SelectedView } from '../../../src/imap/session/selected.js';
import { parseStoreArgs } from '../../../src/imap/wire/args/store.js';
import { parseStatusArgs } from '../../../src/imap/wire/args/status.js';
import { parseGetMetadataArgs, parseSetMetadataArgs } from '../../../src/imap/wire/args/metadata.js';
import { parseQuotaRootArg, parseSetQuotaArgs } from '../../../src/imap/wire/args/quota.js';
import { parseEsearchArgs } from '../../../src/imap/wire/args/esearch.js';
import { parseAclArgs } from '../../../src/imap/wire/args/acl.js';
import { parseRightsChange, RightsError } from '../../../src/store/acl-rights.js';
import { parseListArgs, parseLsubArgs } from '../../../src/imap/wire/args/list.js';
import { parseAppendArgs } from '../../../src/imap/wire/args/append.js';
import { resolveSequenceSet } from '../../../src/imap/wire/args/seqset.js';
import {
  parseAuthenticateArgs, parseCopyArgs, parseCreateArgs, parseEnableArgs, parseIdArgs, parseLoginArgs, parseMailboxArg, parseRenameArgs, parseSelectArgs, parseUidExpungeArgs,
} from '../../../src/imap/wire/args/misc.js';
import type { Token } from '../../../src/imap/wire/tokens.js';
import { defineTarget } from '../harness.js';
import { mutated } from '../mutate.js';
import { IMAP_DICT, imapLine } from '../imap-vocab.js';

/** a selected mailbox of ten messages, for resolving sequence sets in SEARCH criteria */
const view = new SelectedView(
  { id: 1, accountId: 1, name: 'INBOX', specialUse: null, subscribed: true, uidValidity: 1, uidNext: 11, highestModseq: 1 },
  Uint32Array.from({ length: 10 }, (_, i) => i + 1),
  false,
  'fuzz',
);

function parse(name: string, args: Token[], utf8: boolean): void {
  const names = { utf8 };
  switch (name.replace(/^UID /, '')) {
    case 'FETCH': {
      const f = parseFetchArgs(args, { uid: name.startsWith('UID') });
      if (!('saved' in f.set && f.set.saved)) resolveSequenceSet(f.set, 100);
      for (const a of f.atts) {
        fetchLabel(a);
        if ('section' in a && a.section) {
          formatSection(a.section);
          toMimeSection(a.section);
        }
      }
      return;
    }
    case 'SEARCH':
      {
        const q = parseSearchArgs(args).query;
        // SAVED* keys need the store's save dates (resolveRowKeys, async): parsed only here
        if (!hasRowKey(q)) resolveSearch(q, view);
      }
      return;
    case 'STORE':
      parseStoreArgs(args);
      return;
    case 'STATUS':
      parseStatusArgs(args, names);
      return;
    case 'LIST':
      parseListArgs(args, names);
      return;
    case 'LSUB':
      parseLsubArgs(args, names);
      return;
    case 'APPEND':
      parseAppendArgs(args, names);
      return;
    case 'SELECT':
    case 'EXAMINE':
      parseSelectArgs(args, names);
      return;
    case 'CREATE':
      parseCreateArgs(args, names);
      return;
    case 'RENAME':
      parseRenameArgs(args, names);
      return;
    case 'COPY':
    case 'MOVE':
      parseCopyArgs(args, names, name);
      return;
    case 'EXPUNGE':
      if (name.startsWith('UID')) parseUidExpungeArgs(args);
      return;
    case 'LOGIN':
      parseLoginArgs(args);
      return;
    case 'AUTHENTICATE':
      parseAuthenticateArgs(args);
      return;
    case 'ENABLE':
      parseEnableArgs(args);
      return;
    case 'ID':
      parseIdArgs(args);
      return;
    case 'GETMETADATA':
      parseGetMetadataArgs(args, names);
      return;
    case 'SETMETADATA':
      parseSetMetadataArgs(args, names);
      return;
    case 'ESEARCH':
      parseEsearchArgs(args, names);
      return;
    case 'GETQUOTA':
      parseQuotaRootArg(args, name);
      return;
    case 'SETQUOTA':
      parseSetQuotaArgs(args);
      return;
    case 'SETACL': {
      const acl = parseAclArgs(args, names, name, 3);
      try {
        parseRightsChange(acl.rights);
      } catch (e) {
        assert.ok(e instanceof RightsError, `SETACL rights: ${(e as Error)?.stack ?? String(e)}`);
      }
      return;
    }
    case 'DELETEACL':
    case 'LISTRIGHTS':
      parseAclArgs(args, names, name, 2);
      return;
    case 'GETACL':
    case 'MYRIGHTS':
      parseAclArgs(args, names, name, 1);
      return;
    default:
      if (args.length) parseMailboxArg(args, names, name);
  }
}

export default defineTarget({
  name: 'imap-args',
  input: fc.tuple(mutated(imapLine.map((l) => Buffer.from(`t ${l}\r\n`, 'latin1')), IMAP_DICT, 4), fc.boolean()),
  check([bytes, utf8]) {
    const r = new CommandReader({ maxLineLength: 4096, maxLiteralSize: 4096 });
    r.push(bytes);
    r.push(Buffer.from('\r\n'));
    for (let ev = r.next(); ev; ev = r.next()) {
      if (ev.type !== 'command') continue;
      try {
        parse(ev.name, ev.args, utf8);
      } catch (e) {
        assert.ok(e instanceof WireError, `${ev.name}: ${(e as Error)?.stack ?? String(e)}`);
      }
    }
  },
  quickRuns: 600,
});
