/**
 * ESEARCH arguments (RFC 7377 §2, MULTISEARCH):
 *   esearch = "ESEARCH" [SP esearch-source-opts] [SP search-return-opts] SP search-program
 *   esearch-source-opts = "IN" SP "(" source-mbox [SP "(" scope-options ")"] ")"
 *   source-mbox = filter-mailboxes *(SP filter-mailboxes)   ; RFC 5465 §8, plus "subtree-one"
 * No scope option is defined by any RFC this server knows, so scope options are BAD.
 * Without IN the selected mailbox is searched ("selected").
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';
import { ArgCursor } from './cursor.js';
import type { NameOptions } from './mailbox.js';
import { parseMailboxFilter, type SourceFilter } from './notify.js';
import { parseSearchArgs, type SearchArgs } from './search.js';

/** filters in one IN (each subtree / mailboxes filter names at most 1000 mailboxes) */
export const MAX_SOURCE_FILTERS = 32;

export interface EsearchArgs extends SearchArgs {
  sources: SourceFilter[];
}

export function parseEsearchArgs(args: readonly Token[], opts: NameOptions): EsearchArgs {
  let sources: SourceFilter[] = [{ kind: 'selected', delayed: false }];
  let rest = args;
  const first = args[0];
  if (first?.type === 'atom' && first.value.toUpperCase() === 'IN') {
    const list = args[1];
    if (!list || list.type !== 'list') bad('IN needs a parenthesized list of mailbox filters');
    const c = new ArgCursor(list.items, 'ESEARCH IN');
    sources = [];
    while (!c.done) {
      if (c.peek()?.type === 'list') bad('No ESEARCH scope options are supported');
      if (sources.length >= MAX_SOURCE_FILTERS) bad(`At most ${MAX_SOURCE_FILTERS} mailbox filters`);
      sources.push(parseMailboxFilter(c, opts, true));
    }
    if (!sources.length) bad('IN needs at least one mailbox filter');
    rest = args.slice(2);
  }
  const search = parseSearchArgs(rest);
  const r = search.ret;
  // RFC 7377 §2: results are UIDs of several mailboxes; nothing to save or keep updated
  if (r?.save || r?.update || r?.context) bad('ESEARCH does not take SAVE, UPDATE or CONTEXT');
  return { ...search, sources };
}
