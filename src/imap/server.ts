/**
 * IMAP entry point for the listeners (143 STARTTLS, 993 implicit TLS): one Session per
 * accepted socket, given the command table (./commands/index.ts). See ./session/session.ts for
 * the connection's invariants. Dependencies point one way: commands → session → wire.
 */
import type * as net from 'node:net';
import type { ServerContext } from '../context.js';
import type { ConnectionInfo } from '../net/types.js';
import { COMMANDS } from './commands/index.js';
import { Session } from './session/session.js';

export function handleImapConnection(socket: net.Socket, info: ConnectionInfo, ctx: ServerContext): void {
  const closed = ctx.metrics?.connection('imap');
  if (closed) socket.once('close', closed);
  try {
    new Session(socket, info, ctx, COMMANDS).start();
  } catch (err) {
    ctx.log.error({ err, conn: info.id }, 'imap: could not start a session; closing the connection');
    socket.destroy();
  }
}
