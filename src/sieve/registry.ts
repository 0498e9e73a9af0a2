/**
 * Every command and test this implementation knows, and the capability strings it
 * announces (ManageSieve "SIEVE" capability, RFC 5804 §1.7). One file per extension in
 * ./ext; adding one means adding its specs here and its capability to CAPABILITIES.
 */
import type { Spec } from './core/spec.js';
import { CORE } from './ext/core.js';
import { FILEINTO } from './ext/fileinto.js';
import { REJECT } from './ext/reject.js';
import { ENVELOPE } from './ext/envelope.js';
import { IMAP4FLAGS } from './ext/imap4flags.js';
import { BODY } from './ext/body.js';
import { VARIABLES } from './ext/variables.js';
import { DATE } from './ext/date.js';
import { INCLUDE } from './ext/include.js';
import { DUPLICATE } from './ext/duplicate.js';
import { SPAMTEST } from './ext/spamtest.js';
import { EDITHEADER } from './ext/editheader.js';
import { VACATION } from './ext/vacation.js';

const ALL: Spec[] = [...CORE, ...FILEINTO, ...REJECT, ...ENVELOPE, ...IMAP4FLAGS, ...BODY, ...VARIABLES, ...DATE, ...INCLUDE, ...DUPLICATE, ...SPAMTEST, ...EDITHEADER, ...VACATION];

export const COMMANDS: ReadonlyMap<string, Spec> = new Map(ALL.filter((s) => s.kind === 'command').map((s) => [s.name, s]));
export const TESTS: ReadonlyMap<string, Spec> = new Map(ALL.filter((s) => s.kind === 'test').map((s) => [s.name, s]));

/** in the order ManageSieve lists them */
export const CAPABILITY_LIST = [
  'fileinto',
  'reject',
  'ereject',
  'envelope',
  'encoded-character',
  'imap4flags',
  'copy',
  'body',
  'variables',
  'relational',
  'comparator-i;ascii-numeric',
  'comparator-i;octet',
  'comparator-i;ascii-casemap',
  'subaddress',
  'date',
  'index',
  'mailbox',
  'mailboxid',
  'include',
  'duplicate',
  'spamtest',
  'spamtestplus',
  'editheader',
  'vacation',
  'vacation-seconds',
] as const;

export const CAPABILITIES: ReadonlySet<string> = new Set(CAPABILITY_LIST);
