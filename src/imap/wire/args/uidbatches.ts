/**
 * UIDBATCHES arguments (RFC 10022):
 *   uidbatches  = "UIDBATCHES" SP nz-number [SP batch-range]
 *   batch-range = nz-number ":" nz-number      ; first and last batch, first <= last
 * The batch size is checked against the minimum by the command (NO [TOOFEW]), not here.
 */
import { bad } from '../errors.js';
import type { Token } from '../tokens.js';
import { ArgCursor } from './cursor.js';

export interface UidBatchesArgs {
  /** messages per batch */
  size: number;
  /** batches wanted, 1 = the newest messages; null = all */
  range: { first: number; last: number } | null;
}

const NZ = /^[1-9][0-9]*$/;

export function parseUidBatchesArgs(args: readonly Token[]): UidBatchesArgs {
  const c = new ArgCursor(args, 'UIDBATCHES');
  const size = c.nzNumber('batch size');
  let range: UidBatchesArgs['range'] = null;
  if (c.peek()) {
    const text = c.atom('batch range');
    const m = /^([^:]+):([^:]+)$/.exec(text);
    if (!m || !NZ.test(m[1]!) || !NZ.test(m[2]!)) bad(`Expected a batch range such as 1:3, got ${text}`);
    const first = Number(m[1]);
    const last = Number(m[2]);
    if (first > 4294967295 || last > 4294967295) bad(`Batch range out of range: ${text}`);
    if (first > last) bad(`Batch range ${text} runs backwards: give the lower batch number first`);
    range = { first, last };
  }
  c.end();
  return { size, range };
}
