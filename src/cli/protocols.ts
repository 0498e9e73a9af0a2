/**
 * The protocol entry points `serve` starts, in one place. Each module is owned by its
 * protocol: IMAP (src/imap/server.ts), POP3 (src/pop3/server.ts), ManageSieve (src/managesieve/server.ts), SMTP (src/smtp/server.ts,
 * src/smtp/queue/runner.ts), HTTP (src/http/server.ts). Tests may pass a subset to
 * startServer; a missing entry means that listener is not started (with a warning).
 */
import type * as net from 'node:net';
import type { ServerContext } from '../context.js';
import type { ConnectionInfo, RunningListener } from '../net/types.js';
import type { Config } from '../config/schema.js';
import { handleImapConnection } from '../imap/server.js';
import { handlePop3Connection } from '../pop3/server.js';
import { handleManageSieveConnection } from '../managesieve/server.js';
import { startSmtp } from '../smtp/server.js';
import { startQueueRunner } from '../smtp/queue/runner.js';
import { startHttp, type HttpOptions } from '../http/server.js';

type ListenerConfig = Config['listeners']['imap'];

export interface Protocols {
  handleImapConnection(socket: net.Socket, info: ConnectionInfo, ctx: ServerContext): void;
  handlePop3Connection(socket: net.Socket, info: ConnectionInfo, ctx: ServerContext): void;
  handleManageSieveConnection(socket: net.Socket, info: ConnectionInfo, ctx: ServerContext): void;
  startSmtp(ctx: ServerContext, name: 'smtp' | 'submission' | 'submissions', listener: ListenerConfig): Promise<RunningListener>;
  startHttp(ctx: ServerContext, listener: ListenerConfig, opts?: HttpOptions): Promise<RunningListener>;
  startQueueRunner(ctx: ServerContext): { stop(): Promise<void> };
}

export const PROTOCOLS: Protocols = {
  handleImapConnection,
  handlePop3Connection,
  handleManageSieveConnection,
  startSmtp: (ctx, name, l) => startSmtp(ctx, name, l),
  startHttp,
  startQueueRunner: (ctx) => startQueueRunner(ctx),
};
