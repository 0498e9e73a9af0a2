/**
 * Argument helpers shared by the TRANSACTION commands (RFC 1939 §5: "msg" is a message
 * number; messages marked deleted may not be referenced).
 */
import type { Pop3Session } from '../session/session.js';
import type { Pop3Entry } from '../../store/types.js';
import { err } from '../wire/response.js';

const DIGITS = /^[0-9]+$/;

/** a non-negative decimal number, or null */
export function parseNumber(arg: string | undefined): number | null {
  if (arg === undefined || !DIGITS.test(arg)) return null;
  return Math.min(Number(arg), Number.MAX_SAFE_INTEGER);
}

/**
 * Resolves a message-number argument to a live (not deleted) entry, writing the -ERR itself
 * when it cannot; returns null then.
 */
export async function resolveMessage(
  s: Pop3Session,
  arg: string | undefined,
): Promise<{ n: number; entry: Pop3Entry } | null> {
  const drop = s.login!.maildrop;
  const n = parseNumber(arg);
  if (n === null) {
    await s.badCommand(err(arg === undefined ? 'Missing message number' : `Invalid message number: ${arg.slice(0, 20)}`));
    return null;
  }
  const entry = drop.entry(n);
  if (!entry) {
    await s.write(err(`No such message: ${n} (the maildrop has ${drop.count})`));
    return null;
  }
  if (drop.isDeleted(n)) {
    await s.write(err(`Message ${n} is already deleted`));
    return null;
  }
  return { n, entry };
}
