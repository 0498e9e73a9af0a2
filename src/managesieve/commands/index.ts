/** The ManageSieve command table (RFC 5804 §2): name → handler and the states it is valid in. */
import type { ManageSieveCommand } from '../session/session.js';
import { authenticate } from './authenticate.js';
import { capability, logout, noop, starttls, unauthenticate } from './misc.js';
import { havespace } from './havespace.js';
import { putscript } from './putscript.js';
import { checkscript } from './checkscript.js';
import { listscripts } from './listscripts.js';
import { setactive } from './setactive.js';
import { getscript } from './getscript.js';
import { deletescript } from './deletescript.js';
import { renamescript } from './renamescript.js';

export const COMMANDS: ReadonlyMap<string, ManageSieveCommand> = new Map(
  [authenticate, starttls, logout, capability, noop, unauthenticate, havespace, putscript, checkscript, listscripts, setactive, getscript, deletescript, renamescript].map((c) => [c.name, c]),
);
