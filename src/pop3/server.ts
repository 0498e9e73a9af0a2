/**
 * POP3 entry point (issue #4): RFC 1939 + RFC 2449 CAPA + RFC 2595 STLS + RFC 5034 AUTH,
 * over the shared store with the maildrop = INBOX. The listener (src/net/listener.ts) hands
 * over each accepted socket: plain on 110 (STLS) or already TLS on 995.
 *
 *   server.ts   this file: one Pop3Session per connection
 *   session.ts  state machine, line queue, timeouts, STLS, shutdown
 *   maildrop.ts snapshot + DELE marks + UIDL format;  lock.ts per-account lock, LOGIN-DELAY
 *   commands/   one file per command, table in commands/index.ts (given to each session here:
 *               commands import the session, never the reverse)
 *   wire/       pure: line splitting, responses, dot-stuffing, TOP slicing
 */
import type * as net from 'node:net';
import type { ServerContext } from '../context.js';
import type { ConnectionInfo } from '../net/types.js';
import { COMMANDS } from './commands/index.js';
import { Pop3Session } from './session/session.js';

export function handlePop3Connection(socket: net.Socket, info: ConnectionInfo, ctx: ServerContext): void {
  const closed = ctx.metrics?.connection('pop3');
  if (closed) socket.once('close', closed);
  new Pop3Session(socket, info, ctx, COMMANDS).start();
}
