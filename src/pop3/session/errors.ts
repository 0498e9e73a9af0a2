/**
 * StoreError → POP3 response, in one place (DESIGN.md rule 5; RFC 2449 §8, RFC 3206).
 */
import { StoreError } from '../../store/types.js';
import { err } from '../wire/response.js';

export function storeErrorResponse(e: unknown): string {
  if (e instanceof StoreError) {
    switch (e.code) {
      case 'EXPUNGED':
      case 'NONEXISTENT':
        return err('Message was deleted by another session');
      case 'INUSE':
        return err('Mailbox is in use by another session; try again later', 'IN-USE');
      case 'NOPERM':
      case 'INVALID':
        return err(`Not allowed: ${e.message}`, 'SYS/PERM');
      default:
        return err('Temporary storage problem; try again later', 'SYS/TEMP');
    }
  }
  return err('Internal server error; try again later', 'SYS/TEMP');
}
