/**
 * The POP3 command table: keyword → handler and the states it is valid in (RFC 1939 §3:
 * AUTHORIZATION before login, TRANSACTION after; UPDATE accepts nothing). APOP is not
 * implemented and not advertised (the greeting carries no timestamp).
 */
import type { Pop3Command } from './types.js';
import { capa } from './capa.js';
import { user } from './user.js';
import { pass } from './pass.js';
import { auth } from './auth.js';
import { stls } from './stls.js';
import { stat } from './stat.js';
import { list } from './list.js';
import { uidl } from './uidl.js';
import { retr } from './retr.js';
import { top } from './top.js';
import { dele } from './dele.js';
import { noop } from './noop.js';
import { rset } from './rset.js';
import { quit } from './quit.js';

export const COMMANDS: ReadonlyMap<string, Pop3Command> = new Map(
  [capa, user, pass, auth, stls, stat, list, uidl, retr, top, dele, noop, rset, quit].map((c) => [c.name, c]),
);
