/**
 * ManageSieve entry point (RFC 5804), on the `managesieve` listener (4190; quick start
 * 24190): one session per connection, STARTTLS through the shared TLS provider, logins
 * through the shared Authenticator. Scripts live in the store's keyed state
 * (src/sieve/scripts.ts) and run at delivery (src/smtp/filter/).
 *
 *   server.ts        this file
 *   session/         session.ts: state machine, reader queue, idle timeout, STARTTLS,
 *                    shutdown; capabilities.ts: what the greeting and CAPABILITY list;
 *                    errors.ts: errors → NO (CODE) "text", in one place
 *   commands/        one file per command, table in commands/index.ts (given to each
 *                    session here: commands import the session, never the reverse)
 *   wire/            pure: command reader (strings, literals), response encoder
 */
import type * as net from 'node:net';
import type { ServerContext } from '../context.js';
import type { ConnectionInfo } from '../net/types.js';
import { ManageSieveSession } from './session/session.js';
import { COMMANDS } from './commands/index.js';

export function handleManageSieveConnection(socket: net.Socket, info: ConnectionInfo, ctx: ServerContext): void {
  const closed = ctx.metrics?.connection('managesieve');
  if (closed) socket.once('close', closed);
  new ManageSieveSession(socket, info, ctx, COMMANDS).start();
}
