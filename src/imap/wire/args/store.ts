/**
 * STORE arguments (RFC 9051 §6.4.6, §9; RFC 7162 §3.1.3 UNCHANGEDSINCE):
 *   store = "STORE" SP sequence-set [SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"] SP store-att-flags
 *   store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';
import { ArgCursor } from './cursor.js';
import { flagsFromTokens } from './flags.js';
import { sequenceSetFromToken, type SequenceSet } from './seqset.js';

export interface StoreArgs {
  set: SequenceSet;
  /** add = +FLAGS, remove = -FLAGS, replace = FLAGS (the store's FlagOp) */
  op: 'add' | 'remove' | 'replace';
  silent: boolean;
  flags: string[];
  unchangedSince: number | null;
}

export function parseStoreArgs(args: readonly Token[]): StoreArgs {
  const c = new ArgCursor(args, 'STORE');
  const set = sequenceSetFromToken(c.next('sequence set'));
  let unchangedSince: number | null = null;
  const p = c.peek();
  if (p && p.type === 'list') {
    const m = new ArgCursor(c.list('STORE modifiers').items, 'STORE modifiers');
    while (!m.done) {
      const name = m.atom('STORE modifier').toUpperCase();
      if (name !== 'UNCHANGEDSINCE') bad(`Unknown STORE modifier "${name.slice(0, 40)}"`);
      if (unchangedSince !== null) bad('UNCHANGEDSINCE given twice');
      unchangedSince = m.number64('UNCHANGEDSINCE mod-sequence');
    }
  }
  const item = c.atom('+FLAGS, -FLAGS or FLAGS').toUpperCase();
  const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item);
  if (!m) bad(`Expected +FLAGS, -FLAGS or FLAGS, got "${item.slice(0, 40)}"`);
  const op = m[1] === '+' ? 'add' : m[1] === '-' ? 'remove' : 'replace';
  const first = c.peek();
  let flags: string[];
  if (first && first.type === 'list') {
    flags = flagsFromTokens(c.list('flag list').items);
    c.end();
  } else {
    const items: Token[] = [];
    while (!c.done) items.push(c.next('flag'));
    if (items.length === 0) bad('Missing flags');
    flags = flagsFromTokens(items);
  }
  return { set, op, silent: !!m[2], flags, unchangedSince };
}

