/**
 * QUOTA arguments (RFC 9208 §4.1, §7 formal syntax):
 *   getquota     = "GETQUOTA" SP quota-root-name
 *   getquotaroot = "GETQUOTAROOT" SP mailbox
 *   setquota     = "SETQUOTA" SP quota-root-name SP setquota-list
 *   setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"
 *   setquota-resource = resource-name SP resource-limit   ; resource-limit = number64
 *   quota-root-name = astring ; resource-name = atom
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';
import { ArgCursor, parseNumber64 } from './cursor.js';

/** more pairs than any server has resources: a longer list is a client bug */
export const MAX_SETQUOTA_RESOURCES = 16;

export function parseQuotaRootArg(args: readonly Token[], command: string): string {
  const c = new ArgCursor(args, command);
  const root = c.astring('quota root name');
  c.end();
  return root;
}

export interface SetQuotaArgs {
  root: string;
  /** upper-cased resource name → limit, in the client's order; a name given twice is BAD */
  limits: Map<string, number>;
}

export function parseSetQuotaArgs(args: readonly Token[]): SetQuotaArgs {
  const c = new ArgCursor(args, 'SETQUOTA');
  const root = c.astring('quota root name');
  const list = c.list('resource limits');
  c.end();
  if (list.items.length % 2) bad('SETQUOTA limits come in resource/limit pairs');
  if (list.items.length > MAX_SETQUOTA_RESOURCES * 2) bad(`SETQUOTA takes at most ${MAX_SETQUOTA_RESOURCES} resources`);
  const limits = new Map<string, number>();
  const p = new ArgCursor(list.items, 'SETQUOTA');
  while (!p.done) {
    const name = p.atom('resource name').toUpperCase();
    if (!/^[A-Z0-9_.-]{1,64}$/.test(name)) bad('Bad resource name');
    if (limits.has(name)) bad(`Resource ${name} given twice`);
    limits.set(name, parseNumber64(p.atom('resource limit'), 'resource limit'));
  }
  return { root, limits };
}
