/**
 * Errors to ManageSieve responses, in one place (RFC 5804 §1.3 response codes):
 * script errors keep their code (NONEXISTENT, ALREADYEXISTS, ACTIVE, QUOTA/…), the
 * checker's verdict is a plain NO with the line and column, store trouble is TRYLATER.
 */
import { ScriptError } from '../../sieve/scripts.js';
import { StoreError } from '../../store/types.js';
import { no } from '../wire/response.js';

export class ArgError extends Error {}

export function errorResponse(e: unknown): { response: string; log: boolean } {
  if (e instanceof ArgError) return { response: no(e.message), log: false };
  if (e instanceof ScriptError) {
    const code = e.code === 'INVALID' || e.code === 'BADNAME' ? null : e.code;
    return { response: no(e.message, code), log: false };
  }
  if (e instanceof StoreError) {
    if (e.code === 'NONEXISTENT') return { response: no(e.message, 'NONEXISTENT'), log: false };
    if (e.code === 'LIMIT' || e.code === 'OVERQUOTA') return { response: no(e.message, 'QUOTA'), log: false };
  }
  return { response: no('Internal error; try again later', 'TRYLATER'), log: true };
}
